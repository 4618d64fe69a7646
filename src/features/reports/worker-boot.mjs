// A worker thread starts without the tsx loader the service runs under (worker execArgv cannot
// carry --import): register it here, then load the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./worker-entry.ts');
