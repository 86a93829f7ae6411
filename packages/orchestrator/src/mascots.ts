/** Mascot names for agents: running agents never share one (there are 20, more than the concurrency ceiling). */
import { type AgentMascotName, agentMascotNames } from "@autowright/protocol";

/** Hands out mascot names, the first free one in the list, and takes them back. */
export class MascotRoster {
  readonly #inUse = new Set<AgentMascotName>();

  /** A name no running agent has. */
  take(): { name: AgentMascotName; index: number } {
    const index = agentMascotNames.findIndex((name) => !this.#inUse.has(name));
    const chosen = index >= 0 ? index : this.#inUse.size % agentMascotNames.length;
    const name = agentMascotNames[chosen] as AgentMascotName;
    this.#inUse.add(name);
    return { name, index: chosen };
  }

  /** Gives a name back. */
  release(name: AgentMascotName): void {
    this.#inUse.delete(name);
  }
}
