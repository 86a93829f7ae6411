/** Finding a free TCP port for a dev server, and seeing whether something answers on one. */
import { createConnection, createServer } from "node:net";

/** A range of ports, both ends included. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

function canBind(port: number, host: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => {
      // No IPv6 here: the wildcard bind is then judged by the IPv4 one alone.
      resolve(host === "::" && (error.code === "EAFNOSUPPORT" || error.code === "EADDRNOTAVAIL"));
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when nothing listens on `port`: binding it on loopback and on the wildcard address both succeed (a server
 * on either would take the app's connections).
 */
export async function portIsFree(port: number): Promise<boolean> {
  return (await canBind(port, "127.0.0.1")) && (await canBind(port, "::"));
}

/** The first free port of `range` not in `taken`, or undefined when every one is used. */
export async function allocatePort(
  range: PortRange,
  taken: ReadonlySet<number>,
): Promise<number | undefined> {
  for (let port = range.first; port <= range.last; port += 1) {
    if (taken.has(port)) continue;
    if (await portIsFree(port)) return port;
  }
  return undefined;
}

function connects(port: number, host: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const finish = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** True when something accepts connections on `port` on loopback (IPv4 or IPv6). */
export async function portAcceptsConnections(port: number, timeoutMs = 1_000): Promise<boolean> {
  return (await connects(port, "127.0.0.1", timeoutMs)) || (await connects(port, "::1", timeoutMs));
}
