import type { RealtimeFrame } from './realtime-frame.js';

/** A frame without position, serialised, and what it says about presence (to drop repeats). */
export interface EphemeralFrame {
  readonly text: string;
  readonly presence?: { readonly userId: string; readonly online: boolean };
}

/** A frame already serialised for the wire, with the position it stands for. */
export interface FrameText {
  readonly position: bigint;
  readonly text: string;
}

/** The JSON text a client receives for one frame; positions travel as decimal strings. */
export function serialiseFrame(frame: RealtimeFrame): FrameText {
  const text = JSON.stringify({ type: frame.type, position: frame.position.toString(), data: frame.data });
  return { position: frame.position, text };
}

export const RESYNC_TEXT = JSON.stringify({ type: 'resync' });
export const PONG_TEXT = JSON.stringify({ type: 'pong' });

/** The uWS pub/sub topic of one user's connections; '/', '+' and '#' are topic syntax, so escape. */
export function userTopic(userId: string): string {
  return `user/${encodeURIComponent(userId)}`;
}
