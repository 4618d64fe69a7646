import { Suspense, useMemo } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Button, Layout, Menu, Space, Spin, Typography } from 'antd';
import { useSession } from '../lib/session';
import { useT } from '../lib/i18n';
import { pagesFor } from '../pages/registry';
import { Home } from '../pages/Home';
import { Forbidden } from '../pages/Forbidden';
import { PAGES } from '../pages/registry';
import { PageErrorBoundary } from './PageErrorBoundary';
import { LangSwitch } from './LangSwitch';

const ROLE_NAMES: Record<string, [string, string]> = {
  admin: ['管理员', 'Admin'],
  supervisor: ['班长', 'Supervisor'],
  agent: ['坐席', 'Agent'],
  readonly: ['只读', 'Read only'],
  editor: ['知识库编辑', 'KB editor'],
  liaison: ['联络员', 'Liaison'],
  quality: ['质检员', 'Quality reviewer'],
};

/** The signed-in frame: the menu of the pages this role may use, who is signed in, the language. */
export function Shell() {
  const { me, can, logout } = useSession();
  const t = useT();
  const where = useLocation();
  const mine = useMemo(() => (me ? pagesFor(me, can) : []), [me, can]);
  if (!me) return <Navigate to="/login" replace state={{ from: where.pathname }} />;
  const main = mine.filter((p) => !p.group);
  const ops = mine.filter((p) => p.group === 'ops');
  const items = [
    { key: '/', label: <Link to="/">{t('首页', 'Home')}</Link> },
    ...main.map((p) => ({ key: p.path, label: <Link to={p.path}>{t(...p.title)}</Link> })),
    ...(ops.length
      ? [
          {
            key: 'ops',
            label: t('运维管理', 'Operations'),
            children: ops.map((p) => ({ key: p.path, label: <Link to={p.path}>{t(...p.title)}</Link> })),
          },
        ]
      : []),
  ];
  const role = ROLE_NAMES[me.role] ?? [me.role, me.role];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={188} theme="light" breakpoint="lg" collapsedWidth={0} style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ padding: '16px 16px 8px', fontWeight: 600, fontSize: 16 }}>{t('12366 热线', '12366 Hotline')}</div>
        <Menu mode="inline" selectedKeys={[where.pathname]} defaultOpenKeys={['ops']} items={items} style={{ borderInlineEnd: 0 }} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{ background: '#fff', padding: '0 20px', display: 'flex', justifyContent: 'flex-end', borderBottom: '1px solid #f0f0f0' }}
        >
          <Space size="middle">
            <Typography.Text data-testid="whoami">
              {me.displayName ?? me.id} · {t(...role)}
              {me.agentId ? ` · ${t('工号', 'Agent')} ${me.agentId}` : ''}
            </Typography.Text>
            <LangSwitch />
            <a href="/docs" target="_blank" rel="noreferrer">
              {t('接口文档', 'API docs')}
            </a>
            <Button size="small" onClick={() => void logout()} data-testid="logout">
              {t('退出', 'Sign out')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 20, overflow: 'auto' }}>
          <PageErrorBoundary resetKey={where.pathname} title={t('页面出错', 'This page failed')} retry={t('重试', 'Try again')}>
            <Suspense fallback={<Spin />}>
              <Routes>
                <Route path="/" element={<Home pages={mine} />} />
                {PAGES.map((p) => (
                  <Route key={p.path} path={`${p.path}/*`} element={mine.includes(p) ? <p.component /> : <Forbidden />} />
                ))}
                <Route path="*" element={<Navigate to="/" replace />} />
              </Routes>
            </Suspense>
          </PageErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
