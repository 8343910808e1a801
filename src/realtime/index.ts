export {
  startRealtimeServer,
  REALTIME_PATH,
  type RealtimeServer,
  type RealtimeServerDeps,
} from './server.js';
export type { FrameFor, RealtimeFrame } from './realtime-frame.js';
export { CloseCode, CloseReason } from './close-codes.js';
