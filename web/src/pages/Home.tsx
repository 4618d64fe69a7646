import { Card, Col, Empty, Row, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useT } from '../lib/i18n';
import type { PageEntry } from './registry';

/** Each role sees the pages it may use, one card each. */
export function Home({ pages }: { pages: PageEntry[] }) {
  const t = useT();
  return (
    <>
      <Typography.Title level={3}>{t('欢迎使用 12366 纳税服务热线', 'Welcome to the 12366 tax hotline')}</Typography.Title>
      {pages.length ? (
        <Row gutter={[16, 16]}>
          {pages.map((p) => (
            <Col key={p.path} xs={24} md={12} xl={8}>
              <Link to={p.path}>
                <Card hoverable title={t(...p.title)} data-testid={`home-card-${p.path}`}>
                  {t(...p.blurb)}
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
      ) : (
        <Empty description={t('此账号没有可用的页面', 'This account has no pages')} />
      )}
    </>
  );
}
