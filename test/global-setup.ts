import { deactivateTestAgents, disableTestAccounts } from './support/test-agents.js';

export default async function setup(): Promise<() => Promise<void>> {
  await deactivateTestAgents();
  return async () => {
    await deactivateTestAgents();
    await disableTestAccounts();
  };
}
