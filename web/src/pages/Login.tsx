import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useSession } from '../lib/session';
import { useT } from '../lib/i18n';
import { ApiError } from '../lib/api';
import { LangSwitch } from '../layout/LangSwitch';

export function Login() {
  const { me, login } = useSession();
  const t = useT();
  const nav = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (me) return <Navigate to={from} replace />;
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await login(v.username.trim(), v.password);
      nav(from, { replace: true });
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? t('用户名或密码错误', 'User name or password is wrong')
          : e instanceof ApiError && e.status === 429
            ? t('失败次数过多，请稍后再试', 'Too many failed attempts; try again later')
            : String((e as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f5f7fa' }}>
      <Card style={{ width: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 16 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('12366 热线 · 登录', '12366 Hotline · Sign in')}
          </Typography.Title>
          <LangSwitch />
        </div>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            name="username"
            label={t('用户名', 'User name')}
            rules={[{ required: true, message: t('请输入用户名', 'Enter your user name') }]}
          >
            <Input autoComplete="username" autoFocus maxLength={40} />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('密码', 'Password')}
            rules={[{ required: true, message: t('请输入密码', 'Enter your password') }]}
          >
            <Input.Password autoComplete="current-password" maxLength={256} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('登录', 'Sign in')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
