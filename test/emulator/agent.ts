import { mkdirSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import type { Model } from "./model";
import {
  type AgentRequest,
  type AgentResponse,
  encodeFrame,
  FrameReader,
  OPERATOR_COMMAND,
  response,
} from "./protocol";
import { callTool, NeedStdin } from "./tool-dispatch";

/** One hook-tool call as the agent saw it, timed from the client's start to the agent's answer. */
export interface CallRecord {
  tool: string;
  argv: string[];
  exitCode: number;
  /** Duration of the whole call (client start to answer sent). */
  ms: number;
  /** When the call started, in ms after the hook's context opened. */
  atMs: number;
}

interface HookContext {
  env: Record<string, string>;
  model: Model;
  calls: CallRecord[];
  opened: number;
}

/** What an operator command returns through the client. */
export interface OperatorAnswer {
  code: number;
  stdout: string;
  stderr?: string;
}

/** Runs an operator command; `readStdin` gives the client's stdin (asking the client for it on first use). */
export type OperatorHandler = (
  args: string[],
  dir: string,
  readStdin: () => string,
) => Promise<OperatorAnswer>;

/** Wall-clock ms with sub-ms precision, comparable with the Go client's time.Now(). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The unit agent's hook-tool server: holds each running hook's model in memory (its context) and answers
 * the jujuc clients on a unix socket, as Juju's uniter answers jujuc.
 */
export class Agent {
  private readonly contexts = new Map<string, HookContext>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly socketPath: string,
    private readonly server: Server,
    private readonly operate: OperatorHandler | undefined,
  ) {}

  /** Listens on socketPath (a stale socket file from a dead agent is replaced). */
  static async start(socketPath: string, operate?: OperatorHandler): Promise<Agent> {
    mkdirSync(dirname(socketPath), { recursive: true });
    rmSync(socketPath, { force: true });
    let agent: Agent | undefined;
    const server = createServer((socket) => agent?.serve(socket));
    agent = new Agent(socketPath, server, operate);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
    return agent;
  }

  /** Makes a hook's context known: tool calls carrying its id read and write this model. */
  openContext(id: string, env: Record<string, string>, model: Model): void {
    this.contexts.set(id, { env, model, calls: [], opened: nowMs() });
  }

  /** Ends a hook's context and hands back its model and its tool calls in order. */
  closeContext(id: string): { model: Model; calls: CallRecord[] } {
    const context = this.contexts.get(id);
    if (!context) throw new Error(`no hook context ${id}`);
    this.contexts.delete(id);
    return { model: context.model, calls: context.calls.sort((a, b) => a.atMs - b.atMs) };
  }

  /** Stops listening, drops open connections and removes the socket file. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const reader = new FrameReader();
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) void this.answer(socket, frame);
      } catch {
        socket.destroy();
      }
    });
  }

  private async answer(socket: Socket, frame: Buffer): Promise<void> {
    let reply: AgentResponse;
    try {
      reply = await this.handle(JSON.parse(frame.toString("utf8")) as AgentRequest);
    } catch (error) {
      reply = response(1, "", `ERROR bad request: ${(error as Error).message}\n`);
    }
    if (!socket.destroyed) socket.write(encodeFrame(reply));
  }

  private async handle(request: AgentRequest): Promise<AgentResponse> {
    if (request.CommandName === OPERATOR_COMMAND) {
      if (!this.operate) return response(1, "", `ERROR unknown command: ${OPERATOR_COMMAND}\n`);
      try {
        const answer = await this.operate(request.Args ?? [], request.Dir, () => stdinOf(request));
        return response(answer.code, answer.stdout, answer.stderr ?? "");
      } catch (error) {
        if (error instanceof NeedStdin) return { ...response(0, "", ""), NeedStdin: true };
        throw error;
      }
    }
    return this.callInContext(request);
  }

  private callInContext(request: AgentRequest): AgentResponse {
    const context = this.contexts.get(request.ContextId);
    if (!context) return response(1, "", `ERROR bad request: unknown context id "${request.ContextId}"\n`);
    const argv = request.Args ?? [];
    const io = {
      env: context.env,
      cwd: request.Dir,
      readStdin: () => stdinOf(request),
      warn: () => {},
    };
    try {
      const outcome = callTool(request.CommandName, argv, io, context.model);
      context.model = outcome.model;
      const started = request.Started || nowMs();
      const record = { tool: request.CommandName, argv, exitCode: outcome.exitCode, atMs: 0, ms: 0 };
      record.atMs = round(started - context.opened);
      record.ms = round(nowMs() - started);
      context.calls.push(record);
      return response(outcome.exitCode, outcome.stdout, outcome.stderr);
    } catch (error) {
      if (error instanceof NeedStdin) return { ...response(0, "", ""), NeedStdin: true };
      throw error;
    }
  }
}

/** The request's stdin; without it the client is asked to send it (NeedStdin) and the call runs again. */
function stdinOf(request: AgentRequest): string {
  if (!request.StdinSet) throw new NeedStdin();
  return Buffer.from(request.Stdin ?? "", "base64").toString("utf8");
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
