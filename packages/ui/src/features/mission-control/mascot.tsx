/**
 * The agents' mascots: 20 small SVG characters, one per name the orchestrator hands out (protocol
 * `agentMascotNames`), each composed from a body shape, a face and an accessory, animated per agent state with the
 * keyframes in `mascot.css`. An unknown name gets a neutral grey character.
 */
import { type AgentMascotName, type AgentState, agentMascotNames } from "@autowright/protocol";
import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";
import "./mascot.css";

type BodyShape = "round" | "square" | "egg" | "ghost" | "dome" | "capsule" | "stone";
type EyeStyle = "round" | "owl" | "pixel" | "visor" | "cyclops" | "dots" | "mismatched";

interface Palette {
  /** The body colour. */
  readonly body: string;
  /** Belly, highlights, eye whites' tint. */
  readonly light: string;
  /** Outline and pupils. */
  readonly dark: string;
  /** The accessory's colour. */
  readonly accent: string;
}

interface MascotDesign {
  readonly body: BodyShape;
  readonly eyes: EyeStyle;
  readonly palette: Palette;
  /** Drawn behind the body (ears, antennae, wings). */
  readonly accessory: (palette: Palette) => ReactNode;
  /** Drawn over the body (headbands, caps, headphones). */
  readonly front?: (palette: Palette) => ReactNode;
  /** Pink cheeks. */
  readonly blush?: boolean;
  /** Drawn over the body, under the face (stripes, circuit lines). */
  readonly pattern?: (palette: Palette) => ReactNode;
}

/** The names the orchestrator assigns, in its order. */
export const mascotNames: readonly AgentMascotName[] = agentMascotNames;

const faceY: Record<BodyShape, number> = {
  round: 36,
  square: 35,
  egg: 35,
  ghost: 34,
  dome: 31,
  capsule: 33,
  stone: 37,
};

function bodyShape(shape: BodyShape, palette: Palette): ReactNode {
  const paint = {
    fill: palette.body,
    stroke: palette.dark,
    strokeWidth: 2,
    strokeLinejoin: "round" as const,
  };
  switch (shape) {
    case "round":
      return <circle cx={32} cy={37} r={18} {...paint} />;
    case "square":
      return <rect x={14} y={19} width={36} height={36} rx={9} {...paint} />;
    case "egg":
      return (
        <path
          d="M32 17C44 17 50 28 50 39C50 50 43 56 32 56C21 56 14 50 14 39C14 28 20 17 32 17Z"
          {...paint}
        />
      );
    case "ghost":
      return (
        <path
          d="M14 36C14 25 22 17 32 17C42 17 50 25 50 36V55L44 51L38 55L32 51L26 55L20 51L14 55Z"
          {...paint}
        />
      );
    case "dome":
      return (
        <path
          d="M13 42C13 28 21 18 32 18C43 18 51 28 51 42C51 44 49 45 47 45H17C15 45 13 44 13 42Z"
          {...paint}
        />
      );
    case "capsule":
      return <rect x={17} y={16} width={30} height={40} rx={15} {...paint} />;
    case "stone":
      return (
        <path
          d="M15 44C12 33 19 22 31 21C43 20 52 27 51 39C50 50 42 55 31 55C22 55 17 51 15 44Z"
          {...paint}
        />
      );
  }
}

function highlight(shape: BodyShape, palette: Palette): ReactNode {
  const y = shape === "dome" ? 25 : shape === "capsule" ? 23 : 26;
  return (
    <ellipse
      cx={24}
      cy={y}
      rx={5}
      ry={3}
      fill={palette.light}
      opacity={0.55}
      transform={`rotate(-25 24 ${y})`}
    />
  );
}

type EyeMood = "open" | "closed" | "happy";

function eyeMood(state: AgentState): EyeMood {
  if (state === "rate_limited") return "closed";
  if (state === "success") return "happy";
  return "open";
}

function eyes(style: EyeStyle, palette: Palette, y: number, mood: EyeMood): ReactNode {
  const ink = palette.dark;
  if (mood !== "open" && style !== "visor") {
    const path = (x: number) =>
      mood === "happy"
        ? `M${x - 4} ${y + 1}Q${x} ${y - 4} ${x + 4} ${y + 1}`
        : `M${x - 4} ${y}Q${x} ${y + 3} ${x + 4} ${y}`;
    const xs = style === "cyclops" ? [32] : [25, 39];
    return (
      <g className="mascot-eyes" fill="none" stroke={ink} strokeWidth={2.2} strokeLinecap="round">
        {xs.map((x) => (
          <path key={x} d={path(x)} />
        ))}
      </g>
    );
  }
  switch (style) {
    case "round":
      return (
        <g className="mascot-eyes">
          <circle cx={25} cy={y} r={5} fill="#fff" />
          <circle cx={39} cy={y} r={5} fill="#fff" />
          <circle className="mascot-pupil" cx={26} cy={y + 0.5} r={2.6} fill={ink} />
          <circle className="mascot-pupil" cx={40} cy={y + 0.5} r={2.6} fill={ink} />
        </g>
      );
    case "owl":
      return (
        <g className="mascot-eyes">
          <circle cx={24.5} cy={y} r={7} fill={palette.light} stroke={palette.accent} strokeWidth={2} />
          <circle cx={39.5} cy={y} r={7} fill={palette.light} stroke={palette.accent} strokeWidth={2} />
          <circle className="mascot-pupil" cx={25} cy={y} r={3.2} fill={ink} />
          <circle className="mascot-pupil" cx={40} cy={y} r={3.2} fill={ink} />
          <path d={`M30 ${y + 5}L32 ${y + 9}L34 ${y + 5}Z`} fill={palette.accent} />
        </g>
      );
    case "pixel":
      return (
        <g className="mascot-eyes" fill={ink}>
          <rect x={21} y={y - 3} width={6} height={6} />
          <rect x={37} y={y - 3} width={6} height={6} />
          <rect x={23} y={y - 2} width={2} height={2} fill="#fff" />
          <rect x={39} y={y - 2} width={2} height={2} fill="#fff" />
        </g>
      );
    case "visor":
      return (
        <g className="mascot-eyes">
          <rect x={18} y={y - 5} width={28} height={10} rx={5} fill={ink} />
          {mood === "closed" ? (
            <path
              d={`M22 ${y}H42`}
              stroke={palette.accent}
              strokeWidth={1.6}
              strokeLinecap="round"
              opacity={0.6}
            />
          ) : (
            <>
              <rect
                className="mascot-visor-glow"
                x={22}
                y={y - 1.5}
                width={6}
                height={3}
                rx={1.5}
                fill={palette.accent}
              />
              <rect
                className="mascot-visor-glow"
                x={36}
                y={y - 1.5}
                width={6}
                height={3}
                rx={1.5}
                fill={palette.accent}
              />
            </>
          )}
        </g>
      );
    case "cyclops":
      return (
        <g className="mascot-eyes">
          <circle cx={32} cy={y} r={8} fill="#fff" stroke={ink} strokeWidth={1.5} />
          <circle className="mascot-pupil" cx={33} cy={y + 0.5} r={4} fill={palette.accent} />
          <circle cx={33} cy={y + 0.5} r={1.8} fill={ink} />
        </g>
      );
    case "dots":
      return (
        <g className="mascot-eyes" fill={ink}>
          <circle className="mascot-pupil" cx={26} cy={y} r={2.8} />
          <circle className="mascot-pupil" cx={38} cy={y} r={2.8} />
          <circle cx={27} cy={y - 1} r={0.9} fill="#fff" />
          <circle cx={39} cy={y - 1} r={0.9} fill="#fff" />
        </g>
      );
    case "mismatched":
      return (
        <g className="mascot-eyes">
          <circle cx={24} cy={y - 1} r={6} fill="#fff" />
          <circle cx={40} cy={y + 1} r={3.8} fill="#fff" />
          <circle className="mascot-pupil" cx={25} cy={y} r={2.8} fill={ink} />
          <circle className="mascot-pupil" cx={40.5} cy={y + 1.5} r={1.8} fill={ink} />
        </g>
      );
  }
}

function mouth(state: AgentState, ink: string, y: number, style: EyeStyle): ReactNode {
  const top = y + (style === "owl" ? 12 : 9);
  const stroke = { fill: "none", stroke: ink, strokeWidth: 2, strokeLinecap: "round" as const };
  switch (state) {
    case "success":
      return (
        <path
          d={`M26 ${top - 1}Q32 ${top + 7} 38 ${top - 1}Z`}
          fill={ink}
          stroke={ink}
          strokeWidth={1.5}
          strokeLinejoin="round"
        />
      );
    case "working":
    case "testing":
      return <path d={`M27 ${top}Q32 ${top + 4} 37 ${top}`} {...stroke} />;
    case "error":
    case "auth_failed":
      return <path d={`M27 ${top + 3}Q32 ${top - 1} 37 ${top + 3}`} {...stroke} />;
    case "struggling":
      return <path d={`M26 ${top + 1}Q29 ${top - 1} 32 ${top + 1}T38 ${top + 1}`} {...stroke} />;
    case "thinking":
      return <circle cx={33} cy={top + 1} r={1.8} fill={ink} />;
    case "rate_limited":
      return <ellipse cx={32} cy={top + 1} rx={2.2} ry={1.6} fill={ink} opacity={0.7} />;
    default:
      return <path d={`M28 ${top}Q32 ${top + 2.5} 36 ${top}`} {...stroke} />;
  }
}

// --- accessories -------------------------------------------------------------------------------------------

const line = (color: string, width = 2) => ({
  fill: "none",
  stroke: color,
  strokeWidth: width,
  strokeLinecap: "round" as const,
  strokeLinejoin: "round" as const,
});

const star = (cx: number, cy: number, r: number) => {
  const points: string[] = [];
  for (let index = 0; index < 10; index += 1) {
    const radius = index % 2 === 0 ? r : r * 0.45;
    const angle = (Math.PI / 5) * index - Math.PI / 2;
    points.push(
      `${(cx + radius * Math.cos(angle)).toFixed(1)},${(cy + radius * Math.sin(angle)).toFixed(1)}`,
    );
  }
  return points.join(" ");
};

const designs: Record<AgentMascotName, MascotDesign> = {
  Spark: {
    body: "round",
    eyes: "round",
    blush: true,
    palette: { body: "#facc15", light: "#fef9c3", dark: "#713f12", accent: "#f97316" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <path d="M32 19V9" {...line(p.dark)} />
        <polygon
          className="mascot-glow"
          points={star(32, 7, 5.5)}
          fill={p.accent}
          stroke={p.dark}
          strokeWidth={1.2}
        />
      </g>
    ),
  },
  Fizz: {
    body: "egg",
    eyes: "dots",
    blush: true,
    palette: { body: "#2dd4bf", light: "#ccfbf1", dark: "#134e4a", accent: "#a5f3fc" },
    accessory: (p) => (
      <g className="mascot-accessory mascot-bubbles" fill={p.accent} stroke={p.dark} strokeWidth={1.2}>
        <circle cx={45} cy={13} r={3.5} />
        <circle cx={52} cy={7} r={2.5} />
        <circle cx={39} cy={7} r={2} />
      </g>
    ),
  },
  Octo: {
    body: "dome",
    eyes: "round",
    palette: { body: "#a855f7", light: "#f3e8ff", dark: "#3b0764", accent: "#d8b4fe" },
    accessory: (p) => (
      <g className="mascot-accessory mascot-tentacles" {...line(p.dark, 1.8)} fill={p.body}>
        {[17, 24.5, 32, 39.5, 47].map((x, index) => (
          <path
            key={x}
            d={`M${x - 3} 44C${x - 3} 50 ${x + (index % 2 === 0 ? -3 : 3)} 52 ${x} 57C${x + 3} 52 ${x + 3} 50 ${x + 3} 44`}
          />
        ))}
      </g>
    ),
  },
  Hoot: {
    body: "egg",
    eyes: "owl",
    palette: { body: "#a16207", light: "#fef3c7", dark: "#422006", accent: "#f59e0b" },
    pattern: (p) => (
      <g>
        <ellipse cx={32} cy={48} rx={9} ry={6.5} fill={p.light} opacity={0.75} />
        <path d="M28 46L30 48L32 46L34 48L36 46M29 50L31 52L33 50L35 52" {...line(p.body, 1.2)} />
      </g>
    ),
    accessory: (p) => (
      <g className="mascot-accessory" fill={p.body} stroke={p.dark} strokeWidth={2} strokeLinejoin="round">
        <path d="M20 22L13 13L27 18Z" />
        <path d="M44 22L51 13L37 18Z" />
        <path d="M15 36C9 40 10 48 15 51Z" />
        <path d="M49 36C55 40 54 48 49 51Z" />
      </g>
    ),
  },
  Buzz: {
    body: "round",
    eyes: "round",
    palette: { body: "#fbbf24", light: "#fffbeb", dark: "#1c1917", accent: "#e0f2fe" },
    pattern: (p) => (
      <g fill={p.dark} opacity={0.85}>
        <path d="M15.5 44H48.5A18 18 0 0 1 46 48H18A18 18 0 0 1 15.5 44Z" />
        <path d="M21 51H43A18 18 0 0 1 32 55A18 18 0 0 1 21 51Z" />
      </g>
    ),
    accessory: (p) => (
      <g className="mascot-accessory">
        <g className="mascot-wings" fill={p.accent} stroke={p.dark} strokeWidth={1.2} opacity={0.9}>
          <ellipse cx={12} cy={27} rx={7} ry={4.5} transform="rotate(-30 12 27)" />
          <ellipse cx={52} cy={27} rx={7} ry={4.5} transform="rotate(30 52 27)" />
        </g>
        <path d="M27 20C26 15 23 12 20 12M37 20C38 15 41 12 44 12" {...line(p.dark, 1.8)} />
        <circle cx={20} cy={12} r={2} fill={p.dark} />
        <circle cx={44} cy={12} r={2} fill={p.dark} />
      </g>
    ),
  },
  Pixel: {
    body: "square",
    eyes: "pixel",
    palette: { body: "#4ade80", light: "#dcfce7", dark: "#14532d", accent: "#16a34a" },
    accessory: (p) => (
      <g className="mascot-accessory" fill={p.accent} stroke={p.dark} strokeWidth={1}>
        <rect x={22} y={13} width={5} height={5} />
        <rect x={29.5} y={9} width={5} height={5} />
        <rect x={37} y={13} width={5} height={5} />
        <rect x={29.5} y={14} width={5} height={5} />
      </g>
    ),
  },
  Byte: {
    body: "square",
    eyes: "visor",
    palette: { body: "#60a5fa", light: "#dbeafe", dark: "#1e3a8a", accent: "#67e8f9" },
    accessory: (p) => (
      <g className="mascot-accessory" fill={p.light} stroke={p.dark} strokeWidth={1.6}>
        <rect x={9} y={30} width={5} height={10} rx={2} />
        <rect x={50} y={30} width={5} height={10} rx={2} />
        <path d="M32 19V12" {...line(p.dark)} />
        <circle className="mascot-glow" cx={32} cy={10} r={3} fill={p.accent} />
      </g>
    ),
  },
  Nova: {
    body: "round",
    eyes: "dots",
    blush: true,
    palette: { body: "#818cf8", light: "#e0e7ff", dark: "#1e1b4b", accent: "#fde047" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <ellipse cx={32} cy={14} rx={12} ry={3.5} fill="none" stroke={p.accent} strokeWidth={2.5} />
        <polygon className="mascot-glow" points={star(51, 14, 4)} fill={p.accent} />
        <polygon className="mascot-glow" points={star(12, 20, 3)} fill={p.accent} />
      </g>
    ),
  },
  Chip: {
    body: "square",
    eyes: "round",
    palette: { body: "#94a3b8", light: "#f1f5f9", dark: "#0f172a", accent: "#eab308" },
    pattern: (p) => (
      <g>
        <circle cx={20} cy={25} r={2} fill={p.dark} opacity={0.5} />
        <path d="M22 50H28V47M42 50H36V47" {...line(p.accent, 1.4)} opacity={0.8} />
      </g>
    ),
    accessory: (p) => (
      <g className="mascot-accessory" fill={p.accent} stroke={p.dark} strokeWidth={1}>
        {[25, 32, 39, 46].map((y) => (
          <g key={y}>
            <rect x={9} y={y - 1.5} width={5} height={3} />
            <rect x={50} y={y - 1.5} width={5} height={3} />
          </g>
        ))}
        {[22, 32, 42].map((x) => (
          <rect key={x} x={x - 1.5} y={14} width={3} height={5} />
        ))}
      </g>
    ),
  },
  Bolt: {
    body: "capsule",
    eyes: "round",
    palette: { body: "#fb923c", light: "#ffedd5", dark: "#7c2d12", accent: "#fde047" },
    accessory: (p) => (
      <polygon
        className="mascot-accessory mascot-glow"
        points="34,1 24,14 31,14 28,24 40,10 33,10"
        fill={p.accent}
        stroke={p.dark}
        strokeWidth={1.4}
        strokeLinejoin="round"
      />
    ),
  },
  Dash: {
    body: "egg",
    eyes: "round",
    palette: { body: "#f87171", light: "#fee2e2", dark: "#7f1d1d", accent: "#f8fafc" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <path d="M48 26L57 22M48 26L56 31" {...line(p.accent, 3)} />
        <g className="mascot-speed" {...line(p.dark, 1.6)} opacity={0.5}>
          <path d="M4 34H9M2 40H9M5 46H10" />
        </g>
      </g>
    ),
    front: (p) => <path d="M16.5 27C24 22.5 40 22.5 48.5 27" {...line(p.accent, 4)} />,
  },
  Zippy: {
    body: "round",
    eyes: "dots",
    blush: true,
    palette: { body: "#a3e635", light: "#ecfccb", dark: "#365314", accent: "#ef4444" },
    accessory: () => null,
    front: (p) => (
      <g className="mascot-accessory">
        <path
          d="M21 23A11 9 0 0 1 43 23Z"
          fill={p.accent}
          stroke={p.dark}
          strokeWidth={1.5}
          strokeLinejoin="round"
        />
        <path d="M32 14V9" {...line(p.dark, 1.6)} />
        <g className="mascot-propeller">
          <ellipse cx={26} cy={8} rx={6} ry={1.8} fill="#38bdf8" stroke={p.dark} strokeWidth={1} />
          <ellipse cx={38} cy={8} rx={6} ry={1.8} fill="#facc15" stroke={p.dark} strokeWidth={1} />
        </g>
      </g>
    ),
  },
  Gizmo: {
    body: "square",
    eyes: "cyclops",
    palette: { body: "#64748b", light: "#e2e8f0", dark: "#020617", accent: "#22d3ee" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <g className="mascot-gear">
          <circle
            cx={32}
            cy={12}
            r={6}
            fill={p.light}
            stroke={p.dark}
            strokeWidth={1.5}
            strokeDasharray="3 1.7"
          />
          <circle cx={32} cy={12} r={2} fill={p.dark} />
        </g>
      </g>
    ),
  },
  Widget: {
    body: "round",
    eyes: "round",
    blush: true,
    palette: { body: "#f472b6", light: "#fce7f3", dark: "#831843", accent: "#fbcfe8" },
    accessory: (p) => (
      <g className="mascot-accessory" stroke={p.dark} strokeWidth={2}>
        <circle cx={18} cy={22} r={6} fill={p.body} />
        <circle cx={46} cy={22} r={6} fill={p.body} />
        <circle cx={18} cy={22} r={2.8} fill={p.accent} strokeWidth={0} />
        <circle cx={46} cy={22} r={2.8} fill={p.accent} strokeWidth={0} />
      </g>
    ),
  },
  Quirk: {
    body: "egg",
    eyes: "mismatched",
    palette: { body: "#e879f9", light: "#fae8ff", dark: "#581c87", accent: "#22c55e" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <path d="M32 18C32 12 38 12 38 8C38 4 33 4 33 7" {...line(p.dark, 1.8)} />
        <circle className="mascot-glow" cx={33} cy={7} r={2.2} fill={p.accent} />
      </g>
    ),
  },
  Flux: {
    body: "ghost",
    eyes: "dots",
    palette: { body: "#22d3ee", light: "#cffafe", dark: "#164e63", accent: "#f0abfc" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <path d="M32 17C30 12 34 10 32 5" {...line(p.accent, 2)} />
        <circle className="mascot-glow" cx={32} cy={4} r={2.4} fill={p.accent} />
      </g>
    ),
    front: (p) => (
      <path
        className="mascot-orbit"
        d="M8 49C8 45 56 45 56 49C56 53 8 53 8 49Z"
        fill="none"
        stroke={p.accent}
        strokeWidth={1.8}
        strokeDasharray="5 3"
      />
    ),
  },
  Echo: {
    body: "capsule",
    eyes: "dots",
    palette: { body: "#c084fc", light: "#f3e8ff", dark: "#3b0764", accent: "#14b8a6" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <path d="M14 30C14 12 50 12 50 30" {...line(p.accent, 3)} />
        <g className="mascot-waves" {...line(p.dark, 1.4)} opacity={0.6}>
          <path d="M58 29Q61 33 58 37M6 37Q3 33 6 29" />
        </g>
      </g>
    ),
    front: (p) => (
      <g fill={p.accent}>
        <rect x={11} y={26} width={9} height={13} rx={3.5} />
        <rect x={44} y={26} width={9} height={13} rx={3.5} />
      </g>
    ),
  },
  Sprout: {
    body: "egg",
    eyes: "round",
    blush: true,
    palette: { body: "#86efac", light: "#f0fdf4", dark: "#14532d", accent: "#15803d" },
    accessory: (p) => (
      <g className="mascot-accessory mascot-leaf">
        <path d="M32 18C32 14 32 12 31 9" {...line(p.dark, 1.8)} />
        <path
          d="M31 10C25 3 18 6 18 9C23 12 28 12 31 10Z"
          fill={p.accent}
          stroke={p.dark}
          strokeWidth={1.2}
        />
        <path d="M32 11C37 6 44 7 45 9C41 13 36 13 32 11Z" fill="#4ade80" stroke={p.dark} strokeWidth={1.2} />
      </g>
    ),
  },
  Pebble: {
    body: "stone",
    eyes: "dots",
    blush: true,
    palette: { body: "#d6c4a8", light: "#f5efe6", dark: "#44403c", accent: "#65a30d" },
    pattern: (p) => <path d="M43 27L40 30L42 33" {...line(p.dark, 1.2)} opacity={0.45} />,
    accessory: () => null,
    front: (p) => (
      <g className="mascot-accessory">
        <path
          d="M22 23C23 17 27 17 28 21C29 16 33 16 34 22Z"
          fill={p.accent}
          stroke={p.dark}
          strokeWidth={1.2}
          strokeLinejoin="round"
        />
        <circle cx={30} cy={15.5} r={2.2} fill="#fda4af" stroke={p.dark} strokeWidth={1} />
      </g>
    ),
  },
  Comet: {
    body: "round",
    eyes: "round",
    palette: { body: "#3b82f6", light: "#dbeafe", dark: "#172554", accent: "#fb923c" },
    accessory: (p) => (
      <g className="mascot-accessory">
        <path
          className="mascot-tail"
          d="M47 27C54 22 59 14 62 9C56 12 52 12 49 14C52 10 53 6 53 3C48 9 42 14 40 20Z"
          fill={p.accent}
          stroke={p.dark}
          strokeWidth={1.2}
          strokeLinejoin="round"
        />
        <polygon className="mascot-glow" points={star(10, 14, 3)} fill="#fde047" />
      </g>
    ),
  },
};

const fallback: MascotDesign = {
  body: "round",
  eyes: "dots",
  palette: { body: "#9ca3af", light: "#f3f4f6", dark: "#374151", accent: "#6b7280" },
  accessory: (p) => (
    <text x={32} y={15} textAnchor="middle" fontSize={12} fontWeight={700} fill={p.dark}>
      ?
    </text>
  ),
};

function isMascotName(name: string): name is AgentMascotName {
  return (agentMascotNames as readonly string[]).includes(name);
}

/** The main colour of a mascot (grey for an unknown name), for tinting what surrounds it. */
export function mascotColor(name: string): string {
  return (isMascotName(name) ? designs[name] : fallback).palette.body;
}

/** What the mascot is doing, in words (for the accessible name). */
export function mascotStateLabel(state: AgentState): string {
  return state.replace("_", " ");
}

function stateOverlay(state: AgentState, palette: Palette): ReactNode {
  switch (state) {
    case "thinking":
      return (
        <g className="mascot-thought" fill="currentColor" opacity={0.65}>
          <circle cx={50} cy={14} r={1.6} />
          <circle cx={55} cy={9} r={2.2} />
          <circle cx={60} cy={3.5} r={2.8} />
        </g>
      );
    case "rate_limited":
      return (
        <g className="mascot-zzz" fill="currentColor" fontWeight={700} fontFamily="ui-sans-serif, system-ui">
          <text x={47} y={18} fontSize={8}>
            z
          </text>
          <text x={53} y={11} fontSize={10}>
            z
          </text>
        </g>
      );
    case "auth_failed":
      return (
        <g className="mascot-lock">
          <path d="M45 47V43A5 5 0 0 1 55 43V47" fill="none" stroke="#b91c1c" strokeWidth={2.2} />
          <rect
            x={42}
            y={46}
            width={16}
            height={12}
            rx={2.5}
            fill="#dc2626"
            stroke="#7f1d1d"
            strokeWidth={1.2}
          />
          <circle cx={50} cy={51} r={1.6} fill="#fff" />
        </g>
      );
    case "success":
      return (
        <g className="mascot-sparkles" fill="#facc15">
          <polygon points={star(9, 12, 4)} />
          <polygon points={star(55, 10, 3.5)} />
          <polygon points={star(56, 26, 2.5)} />
        </g>
      );
    case "struggling":
      return (
        <path
          className="mascot-sweat"
          d="M52 22C52 22 48 27 48 29A4 4 0 0 0 56 29C56 27 52 22 52 22Z"
          fill="#7dd3fc"
          stroke={palette.dark}
          strokeWidth={1}
        />
      );
    case "error":
      return (
        <g className="mascot-error" stroke="#dc2626" strokeWidth={2.2} strokeLinecap="round">
          <path d="M52 6V13" />
          <circle cx={52} cy={17.5} r={0.6} fill="#dc2626" />
        </g>
      );
    case "testing":
      return (
        <g className="mascot-scan" fill="none" stroke="#0284c7" strokeWidth={2}>
          <circle cx={50} cy={48} r={5} fill="#e0f2fe" fillOpacity={0.7} />
          <path d="M53.5 51.5L58 56" strokeLinecap="round" strokeWidth={2.8} />
        </g>
      );
    default:
      return null;
  }
}

/** An agent's mascot: one of 20 characters (grey fallback for an unknown name), animated for its `state`. */
export function Mascot(props: {
  readonly name: string;
  readonly state?: AgentState;
  readonly size?: number;
  readonly className?: string;
}) {
  const state = props.state ?? "idle";
  const known = isMascotName(props.name);
  const design = known ? designs[props.name as AgentMascotName] : fallback;
  const { palette } = design;
  const y = faceY[design.body];
  const size = props.size ?? 48;
  return (
    <svg
      viewBox="0 0 64 64"
      width={size}
      height={size}
      role="img"
      aria-label={`${props.name}, ${mascotStateLabel(state)}`}
      data-mascot={known ? props.name : "unknown"}
      data-state={state}
      className={cn("mascot shrink-0 overflow-visible", props.className)}
    >
      <g className="mascot-figure">
        {design.body === "dome" || design.body === "capsule" ? null : (
          <ellipse
            className="mascot-shadow"
            cx={32}
            cy={60}
            rx={13}
            ry={2.2}
            fill="currentColor"
            opacity={0.12}
          />
        )}
        {design.accessory(palette)}
        {bodyShape(design.body, palette)}
        {highlight(design.body, palette)}
        {design.pattern?.(palette)}
        {design.blush ? (
          <g fill="#fb7185" opacity={0.45}>
            <ellipse cx={19.5} cy={y + 6} rx={3} ry={1.8} />
            <ellipse cx={44.5} cy={y + 6} rx={3} ry={1.8} />
          </g>
        ) : null}
        {eyes(design.eyes, palette, y, eyeMood(state))}
        {mouth(state, palette.dark, y, design.eyes)}
        {design.front?.(palette)}
      </g>
      {stateOverlay(state, palette)}
    </svg>
  );
}
