import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Permission } from '../../../src/core/auth/access';
import type { Me } from '../lib/session';

/**
 * Every page of the console: where it lives, its menu title, and who may open it. The shell
 * builds the menu and the routes from this list, and the home page shows each role its pages.
 * Each page is its own chunk, loaded when first opened.
 */
export interface PageEntry {
  path: string;
  title: [zh: string, en: string];
  /** One line for the home page. */
  blurb: [zh: string, en: string];
  /** The menu group (ops pages sit under one heading). */
  group?: 'ops';
  /** Who may open it: the same grants the API enforces, plus agent-only pages. */
  allowed: (me: Me, can: (p: Permission) => boolean) => boolean;
  component: LazyExoticComponent<ComponentType>;
}

export const PAGES: PageEntry[] = [
  {
    path: '/agent',
    title: ['坐席工作台', 'Agent desktop'],
    blurb: ['示闲、示忙、结束话后处理；来电弹屏与来电人历史', 'Ready, pause, end wrap-up; screen pop with the caller’s history'],
    allowed: (me) => me.role === 'agent' && !!me.agentId,
    component: lazy(() => import('./agent/AgentDesktop')),
  },
  {
    path: '/wallboard',
    title: ['班长监控', 'Wallboard'],
    blurb: ['各队列排队、服务水平、放弃率；每个坐席的状态', 'Queues waiting, service level, abandon rate; every agent’s state'],
    allowed: (_me, can) => can('live') && can('read'),
    component: lazy(() => import('./wallboard/Wallboard')),
  },
  {
    path: '/reports',
    title: ['统计报表', 'Reports'],
    blurb: ['15分钟时段、放弃来电、来电地区、坐席与队列；图表与CSV导出', 'Intervals, abandons, regions, agents and queues; charts and CSV'],
    allowed: (_me, can) => can('reports'),
    component: lazy(() => import('./reports/Reports')),
  },
  {
    path: '/callbacks',
    title: ['待回拨', 'Callbacks'],
    blurb: ['放弃后仍待回拨的来电，最早的在前', 'Abandoned callers still to be called back, oldest first'],
    allowed: (_me, can) => can('read'),
    component: lazy(() => import('./callbacks/Callbacks')),
  },
  // Knowledge base (issue 22): the page for every role, and its editing for kb.write holders.
  {
    path: '/kb',
    title: ['知识库', 'Knowledge base'],
    blurb: ['搜索、浏览财税知识库；收藏常用文章', 'Search and browse the tax knowledge base; favourites'],
    allowed: (_me, can) => can('kb.read'),
    component: lazy(() => import('./kb/KbPage')),
  },
  {
    path: '/ops/kb',
    group: 'ops',
    title: ['知识库维护', 'Knowledge base editing'],
    blurb: [
      '目录树（即来电小结分类）、文章编辑、审核发布、版本对比、导入导出',
      'The tree (also the summary tree), articles, review, versions, import/export',
    ],
    allowed: (_me, can) => can('kb.write'),
    component: lazy(() => import('./ops/KbOpsPage')),
  },
  {
    path: '/workorders',
    title: ['工单', 'Work orders'],
    blurb: [
      '转办、投诉、举报、建议：分派、部门答复、回复来电人、办结；联络员只看本部门的工单',
      'Hand-overs, complaints, reports, suggestions: assign, reply, answer the caller, close; liaisons see their department’s only',
    ],
    allowed: (_me, can) => can('workorders'),
    component: lazy(() => import('./workorders/WorkOrders')),
  },
  // Recordings and quality review (issue 23).
  {
    path: '/recordings',
    title: ['录音查询', 'Recordings'],
    blurb: ['按日期、号码、坐席、队列查找录音并收听；投诉与工单保全', 'Find and play recorded calls; holds for complaints and work orders'],
    allowed: (_me, can) => can('recordings'),
    component: lazy(() => import('./recordings/Recordings')),
  },
  {
    path: '/quality/mine',
    title: ['我的质检', 'My reviews'],
    blurb: ['质检员对本人通话的评分与评语', 'How reviewers scored your calls, with their comments'],
    allowed: (me, can) => me.role === 'agent' && !!me.agentId && can('quality.own'),
    component: lazy(() => import('./quality/MyReviews')),
  },
  {
    path: '/quality/report',
    title: ['质检报表', 'Quality report'],
    blurb: ['每位坐席每月的质检次数、平均分与各评分项得分率', 'Reviews, average and per-item scores per agent per month'],
    allowed: (_me, can) => can('quality.review'),
    component: lazy(() => import('./quality/QualityReport')),
  },
  {
    path: '/quality/form',
    title: ['质检表单', 'Review form'],
    blurb: ['质检评分项与权重；保存即为新版本', 'The review’s items and weights; each save is a new version'],
    allowed: (_me, can) => can('quality.manage'),
    component: lazy(() => import('./quality/FormEditor')),
  },
  {
    path: '/ops/ivr',
    group: 'ops',
    title: ['语音导航', 'IVR'],
    blurb: ['菜单树、提示音、工作时间与节假日', 'Menu tree, prompts, hours and holidays'],
    allowed: (_me, can) => can('config.write'),
    component: lazy(() => import('./ops/IvrPage')),
  },
  {
    path: '/ops/routing',
    group: 'ops',
    title: ['路由规则', 'Routing'],
    blurb: [
      '队列、逐步放宽的技能步骤、分配策略；版本对比、模拟、启用与回滚',
      'Queues, widening steps, strategies; diff, simulate, activate, roll back',
    ],
    allowed: (_me, can) => can('config.write'),
    component: lazy(() => import('./ops/RoutingPage')),
  },
  {
    path: '/ops/agents',
    group: 'ops',
    title: ['坐席与技能', 'Agents & skills'],
    blurb: ['坐席、技能矩阵、所属队列', 'Agents, the skills matrix, queues'],
    allowed: (_me, can) => can('config.write'),
    component: lazy(() => import('./ops/AgentsPage')),
  },
  {
    path: '/ops/pause-reasons',
    group: 'ops',
    title: ['示忙原因', 'Pause reasons'],
    blurb: ['培训、会议、文书等示忙原因', 'Training, meeting, paperwork and other reasons'],
    allowed: (_me, can) => can('config.write'),
    component: lazy(() => import('./ops/PauseReasonsPage')),
  },
  {
    path: '/ops/accounts',
    group: 'ops',
    title: ['账号与密钥', 'Accounts & keys'],
    blurb: ['登录账号、角色、API 密钥', 'Sign-in accounts, roles, API keys'],
    allowed: (_me, can) => can('accounts'),
    component: lazy(() => import('./ops/AccountsPage')),
  },
  {
    path: '/ops/audit',
    group: 'ops',
    title: ['审计日志', 'Audit log'],
    blurb: ['谁在何时改了什么', 'Who changed what, when'],
    allowed: (_me, can) => can('audit'),
    component: lazy(() => import('./ops/AuditPage')),
  },
];

export function pagesFor(me: Me, can: (p: Permission) => boolean): PageEntry[] {
  return PAGES.filter((p) => p.allowed(me, can));
}
