export async function measureScale(_machines: number, _pings: number): Promise<Record<string, unknown>> {
  throw new Error("not yet");
}
