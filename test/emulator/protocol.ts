// The hook-tool wire format between the jujuc client (jujuc/main.go) and the agent: both ways a 4-byte
// big-endian length, then that many bytes of JSON; byte fields travel as base64 (Go's []byte in JSON).

/** A client's request: a hook tool in a hook's context, or (CommandName "juju-emulator") an operator command. */
export interface AgentRequest {
  ContextId: string;
  Dir: string;
  CommandName: string;
  Args: string[];
  StdinSet: boolean;
  /** base64 */
  Stdin: string | null;
  /** When the client process started (Unix ms), so a call is timed from end to end. */
  Started: number;
}

export interface AgentResponse {
  Code: number;
  /** base64 */
  Stdout: string;
  /** base64 */
  Stderr: string;
  /** The tool reads stdin: send the request again with it. */
  NeedStdin?: boolean;
}

/** The operator's entry through the same client (`juju-emulator deploy --model …`). */
export const OPERATOR_COMMAND = "juju-emulator";

/** Far above any stdin a charm sends (relation data with certificates is a few KiB). */
export const MAX_FRAME = 256 * 1024 * 1024;

export function encodeFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value));
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

export function response(code: number, stdout: string, stderr: string): AgentResponse {
  return {
    Code: code,
    Stdout: Buffer.from(stdout).toString("base64"),
    Stderr: Buffer.from(stderr).toString("base64"),
  };
}

/** Splits a byte stream into frames; throws on a frame over MAX_FRAME. Joins chunks only once a frame is whole. */
export class FrameReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private need: number | undefined;

  push(chunk: Buffer): Buffer[] {
    this.buffered.push(chunk);
    this.size += chunk.length;
    const frames: Buffer[] = [];
    while (this.size >= (this.need ?? 4)) {
      const data = Buffer.concat(this.buffered);
      const length = data.readUInt32BE(0);
      if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes is over the limit`);
      this.need = 4 + length;
      this.buffered = [data];
      if (data.length < this.need) break;
      frames.push(data.subarray(4, this.need));
      const rest = data.subarray(this.need);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.need = undefined;
    }
    return frames;
  }
}
