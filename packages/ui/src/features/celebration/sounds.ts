/**
 * Optional celebration sounds: short WebAudio chimes, off by default, the choice kept in localStorage
 * (`autowright-sounds`) and shared by every toggle on the page.
 */
import { useSyncExternalStore } from "react";

/** The localStorage key of the sound preference ("on" when enabled). */
export const soundsStorageKey = "autowright-sounds";

const listeners = new Set<() => void>();

function read(): boolean {
  try {
    return window.localStorage.getItem(soundsStorageKey) === "on";
  } catch {
    return false;
  }
}

let enabled = typeof window === "undefined" ? false : read();

/** Turns the sounds on or off (remembered). */
export function setSoundsEnabled(value: boolean): void {
  enabled = value;
  try {
    window.localStorage.setItem(soundsStorageKey, value ? "on" : "off");
  } catch {
    // No storage (private mode): the choice lasts for the page.
  }
  for (const listener of listeners) listener();
}

/** Whether the sounds are on. */
export function soundsEnabled(): boolean {
  return enabled;
}

/** Whether the sounds are on, re-rendering when a toggle changes it. */
export function useSoundsEnabled(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      const onStorage = (event: StorageEvent) => {
        if (event.key !== soundsStorageKey) return;
        enabled = read();
        listener();
      };
      window.addEventListener("storage", onStorage);
      return () => {
        listeners.delete(listener);
        window.removeEventListener("storage", onStorage);
      };
    },
    () => enabled,
    () => false,
  );
}

let context: AudioContext | undefined;

function audio(): AudioContext | undefined {
  if (context !== undefined) return context;
  const Constructor =
    window.AudioContext ??
    (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (Constructor === undefined) return undefined;
  context = new Constructor();
  return context;
}

function note(
  audioContext: AudioContext,
  frequency: number,
  start: number,
  duration: number,
  volume: number,
) {
  const oscillator = audioContext.createOscillator();
  const gain = audioContext.createGain();
  oscillator.type = "triangle";
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0, start);
  gain.gain.linearRampToValueAtTime(volume, start + 0.015);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
  oscillator.connect(gain).connect(audioContext.destination);
  oscillator.start(start);
  oscillator.stop(start + duration + 0.05);
}

/** Plays the chime of a passed feature (three rising notes) or the fanfare of a completed project; silent when off. */
export function playCelebrationSound(kind: "feature" | "project"): void {
  if (!enabled) return;
  try {
    const audioContext = audio();
    if (audioContext === undefined) return;
    void audioContext.resume();
    const at = audioContext.currentTime + 0.02;
    const chord = [523.25, 659.25, 783.99, 1046.5];
    if (kind === "feature") {
      [659.25, 783.99, 1046.5].forEach((frequency, index) => {
        note(audioContext, frequency, at + index * 0.09, 0.35, 0.12);
      });
    } else {
      chord.forEach((frequency, index) => {
        note(audioContext, frequency, at + index * 0.13, 0.4, 0.14);
      });
      for (const frequency of chord) note(audioContext, frequency, at + 0.6, 1.1, 0.08);
    }
  } catch {
    // Audio is a nicety: a browser that refuses it (no user gesture yet) stays silent.
  }
}
