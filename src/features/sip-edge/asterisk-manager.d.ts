declare module 'asterisk-manager' {
  import { EventEmitter } from 'node:events';
  class AsteriskManager extends EventEmitter {
    constructor(port: number, host: string, user: string, secret: string, events: boolean);
    keepConnected(): void;
    disconnect(): void;
    action(action: Record<string, string>, cb?: (err: unknown, res: unknown) => void): void;
  }
  export default AsteriskManager;
}
