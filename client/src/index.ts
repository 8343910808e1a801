export { ChatClient, type ChatClientOptions, type SendOptions } from './chat-client.js';
export { ApiError, NetworkError } from './errors.js';
export {
  RealtimeSession,
  type ConnectionState,
  type RealtimeOptions,
  type SocketConstructor,
  type SocketLike,
} from './realtime.js';
export { Session, type StoredSession } from './session.js';
export type * from './wire.js';
