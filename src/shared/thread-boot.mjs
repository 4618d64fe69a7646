// A worker thread starts without the tsx loader the service runs under (a worker's execArgv cannot
// carry --import): register it here, then load the TypeScript entry ThreadCalls passed as the last
// argument (src/shared/thread-calls.ts).
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
