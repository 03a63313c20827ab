/** The PublicIP of a flannel lease value (flanneld's JSON), or undefined when it has none or is not JSON. */
export function publicIpOfLease(value: string): string | undefined {
  try {
    const parsed = JSON.parse(value) as { PublicIP?: unknown };
    return typeof parsed.PublicIP === "string" ? parsed.PublicIP : undefined;
  } catch {
    return undefined;
  }
}
