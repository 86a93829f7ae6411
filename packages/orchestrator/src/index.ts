/**
 * @autowright/orchestrator: turns a backlog into merged, verified work with several agents at once. Used
 * headless by `autowright run` and, later, by the server.
 */
export {};
