/** What each audit action means, in both languages (the log stores the code). */
export const AUDIT_ACTIONS: Record<string, [zh: string, en: string]> = {
  'agent.create': ['新增坐席', 'Agent added'],
  'agent.update': ['修改坐席', 'Agent changed'],
  'agent.assign': ['调整技能或队列', 'Skills or queues changed'],
  'agent.delete': ['停用坐席', 'Agent deactivated'],
  'agent.login': ['坐席签入', 'Agent logged in'],
  'agent.logout': ['坐席签出', 'Agent logged out'],
  'agent.pause': ['坐席示忙', 'Agent paused'],
  'agent.unpause': ['坐席示闲', 'Agent unpaused'],
  'agent.end-wrap-up': ['结束话后处理', 'Wrap-up ended'],
  'pause_reason.create': ['新增示忙原因', 'Pause reason added'],
  'pause_reason.update': ['修改示忙原因', 'Pause reason changed'],
  'pause_reason.retire': ['停用示忙原因', 'Pause reason retired'],
  'account.create': ['新增账号', 'Account added'],
  'account.update': ['修改账号', 'Account changed'],
  'account.disable': ['停用账号', 'Account disabled'],
  'account.password': ['修改本人密码', 'Own password changed'],
  'api_key.create': ['新建 API 密钥', 'API key created'],
  'api_key.revoke': ['吊销 API 密钥', 'API key revoked'],
  'auth.login': ['登录', 'Signed in'],
  'auth.login_failed': ['登录失败', 'Sign-in failed'],
  'routing.upload': ['上传路由配置', 'Routing uploaded'],
  'routing.activate': ['启用路由配置', 'Routing activated'],
  'routing.rollback': ['回滚路由配置', 'Routing rolled back'],
  'ivr.upload': ['上传语音导航', 'IVR uploaded'],
  'ivr.activate': ['启用语音导航', 'IVR activated'],
  'ivr.rollback': ['回滚语音导航', 'IVR rolled back'],
};

/** The areas an action filter may name alone ("agent" matches every agent.* action). */
export const AUDIT_AREAS: Record<string, [zh: string, en: string]> = {
  agent: ['坐席（全部）', 'Agents (all)'],
  pause_reason: ['示忙原因（全部）', 'Pause reasons (all)'],
  account: ['账号（全部）', 'Accounts (all)'],
  api_key: ['API 密钥（全部）', 'API keys (all)'],
  auth: ['登录（全部）', 'Sign-ins (all)'],
  routing: ['路由配置（全部）', 'Routing (all)'],
  ivr: ['语音导航（全部）', 'IVR (all)'],
};

export const TARGET_KINDS: Record<string, [zh: string, en: string]> = {
  agent: ['坐席', 'Agent'],
  pause_reason: ['示忙原因', 'Pause reason'],
  account: ['账号', 'Account'],
  api_key: ['API 密钥', 'API key'],
  routing: ['路由配置', 'Routing'],
  ivr: ['语音导航', 'IVR'],
};
