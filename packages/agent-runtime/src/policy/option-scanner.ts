/** A getopt-style scanner over shell arguments, shared by the program rules. */
import { type Arg, literalArg } from "./words.ts";

/** How a program takes its options. */
export interface OptionSpec {
  /** Short options taking a value: the rest of the cluster, or else the next argument. */
  readonly shortValue?: string;
  /** Short options taking an optional value attached to them only (`sed -i.bak`, `perl -i.orig`). */
  readonly shortAttached?: string;
  /** Long options (without `--`) taking the next argument as value when not written `--name=value`. */
  readonly longValue?: readonly string[];
  /** Options end at the first operand (POSIX utilities, wrappers); otherwise they may follow operands (GNU). */
  readonly stopAtOperand?: boolean;
}

/** One option found. `name` is `-x` or `--long`. */
export interface ScannedOption {
  readonly name: string;
  readonly value: Arg | undefined;
}

/** The options and operands of a command line. */
export interface ScannedArgs {
  readonly options: readonly ScannedOption[];
  readonly operands: readonly Arg[];
  /** Arguments only known at run time standing where an option could be. */
  readonly unknown: readonly Arg[];
}

/** Scans `args` (the arguments after the program name). */
export function scanOptions(args: readonly Arg[], spec: OptionSpec): ScannedArgs {
  const options: ScannedOption[] = [];
  const operands: Arg[] = [];
  const unknown: Arg[] = [];
  const shortValue = spec.shortValue ?? "";
  const shortAttached = spec.shortAttached ?? "";
  const longValue = new Set(spec.longValue ?? []);
  let index = 0;
  while (index < args.length) {
    const arg = args[index] as Arg;
    index++;
    const value = arg.value;
    if (value === undefined) {
      unknown.push(arg);
      operands.push(arg);
      if (spec.stopAtOperand) break;
      continue;
    }
    if (value === "--") break;
    if (value.startsWith("--")) {
      const equals = value.indexOf("=");
      const name = equals < 0 ? value : value.slice(0, equals);
      if (equals >= 0) {
        options.push({ name, value: literalArg(value.slice(equals + 1), arg.raw) });
      } else if (longValue.has(name.slice(2))) {
        options.push({ name, value: args[index] });
        index++;
      } else {
        options.push({ name, value: undefined });
      }
      continue;
    }
    if (value.startsWith("-") && value.length > 1) {
      for (let letter = 1; letter < value.length; letter++) {
        const c = value[letter] as string;
        const rest = value.slice(letter + 1);
        if (shortValue.includes(c)) {
          if (rest !== "") options.push({ name: `-${c}`, value: literalArg(rest, arg.raw) });
          else {
            options.push({ name: `-${c}`, value: args[index] });
            index++;
          }
          break;
        }
        if (shortAttached.includes(c)) {
          options.push({ name: `-${c}`, value: rest === "" ? undefined : literalArg(rest, arg.raw) });
          break;
        }
        options.push({ name: `-${c}`, value: undefined });
      }
      continue;
    }
    operands.push(arg);
    if (spec.stopAtOperand) break;
  }
  operands.push(...args.slice(index));
  return { options, operands, unknown };
}

/** Whether any of `names` was given. */
export function hasOption(scanned: ScannedArgs, ...names: string[]): boolean {
  return scanned.options.some((option) => names.includes(option.name));
}

/** The values of the options named `names`, in order. */
export function optionValues(scanned: ScannedArgs, ...names: string[]): (Arg | undefined)[] {
  return scanned.options.filter((option) => names.includes(option.name)).map((option) => option.value);
}
