import { agentMascotNames, agentStates } from "@autowright/protocol";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Mascot, mascotColor, mascotNames } from "./mascot.tsx";

describe("Mascot", () => {
  it("has exactly the 20 names the orchestrator assigns", () => {
    expect(mascotNames).toEqual(agentMascotNames);
    expect(new Set(mascotNames).size).toBe(20);
  });

  it("draws 20 different characters", () => {
    const drawings = new Set<string>();
    for (const name of mascotNames) {
      const { container, unmount } = render(<Mascot name={name} />);
      const svg = container.querySelector("svg");
      expect(svg?.getAttribute("data-mascot")).toBe(name);
      // The drawing without its label: two mascots that only differ by name would collide here.
      const clone = svg?.cloneNode(true) as SVGElement;
      clone.removeAttribute("aria-label");
      clone.removeAttribute("data-mascot");
      drawings.add(clone.innerHTML);
      unmount();
    }
    expect(drawings.size).toBe(20);
    expect(new Set(mascotNames.map(mascotColor)).size).toBeGreaterThanOrEqual(18);
  });

  it("names itself and its state for assistive technology", () => {
    render(<Mascot name="Octo" state="rate_limited" />);
    const image = screen.getByRole("img", { name: "Octo, rate limited" });
    expect(image.getAttribute("data-state")).toBe("rate_limited");
  });

  it("shows each state differently", () => {
    const drawings = new Set<string>();
    for (const state of agentStates) {
      const { container, unmount } = render(<Mascot name="Spark" state={state} />);
      drawings.add(container.querySelector("svg")?.innerHTML ?? "");
      unmount();
    }
    // working and idle share a face (the motion differs, in CSS); every other state draws something of its own.
    expect(drawings.size).toBeGreaterThanOrEqual(agentStates.length - 1);
  });

  it("falls back to a neutral grey character for an unknown name", () => {
    const { container } = render(<Mascot name="Zorblax" state="working" size={32} />);
    const svg = screen.getByRole("img", { name: "Zorblax, working" });
    expect(svg.getAttribute("data-mascot")).toBe("unknown");
    expect(svg.getAttribute("width")).toBe("32");
    expect(container.innerHTML).toContain("#9ca3af");
    expect(mascotColor("Zorblax")).toBe("#9ca3af");
  });
});
