import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { LangProvider, useLang } from './lib/i18n';
import { SessionProvider, useSession } from './lib/session';
import { Login } from './pages/Login';
import { Shell } from './layout/Shell';

function Root() {
  const { lang } = useLang();
  const { me } = useSession();
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  return (
    <ConfigProvider
      locale={lang === 'zh' ? zhCN : enUS}
      theme={{ token: { fontFamily: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' } }}
    >
      <AntApp>
        {me === undefined ? (
          <Spin style={{ marginTop: 120, width: '100%' }} />
        ) : (
          <Routes>
            <Route path="/login" element={<Login />} />
            <Route path="/*" element={<Shell />} />
          </Routes>
        )}
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename="/console">
      <LangProvider>
        <SessionProvider>
          <Root />
        </SessionProvider>
      </LangProvider>
    </BrowserRouter>
  </StrictMode>,
);
