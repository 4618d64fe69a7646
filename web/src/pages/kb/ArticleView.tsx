import { Button, Descriptions, Space, Tag, Tooltip, Typography } from 'antd';
import { FireFilled, LinkOutlined, StarFilled, StarOutlined, TeamOutlined } from '@ant-design/icons';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { STATUS_COLORS, STATUS_NAMES, type Article } from './types';
import { useLang } from '../../lib/i18n';

/** Hotness 0–3 as flames (热点级别). */
export function Hotness({ level }: { level: number }) {
  const t = useT();
  return (
    <Tooltip title={t(`热点级别 ${level}`, `Hotness ${level}`)}>
      <span data-testid="kb-hotness" data-level={level} style={{ whiteSpace: 'nowrap' }}>
        {[1, 2, 3].map((i) => (
          <FireFilled key={i} style={{ color: i <= level ? '#fa541c' : '#d9d9d9', fontSize: 12 }} />
        ))}
      </span>
    </Tooltip>
  );
}

/**
 * One article as an agent reads it: the question, the answer, its 依据, keywords, hits and hotness,
 * related articles (opened in place), attachments, version. The stars toggle the private favourite
 * and, for those who may, the public one.
 */
export function ArticleView({
  article,
  onOpen,
  onFavourite,
  canPublicFavourite,
}: {
  article: Article;
  onOpen: (id: number) => void;
  onFavourite: (scope: 'private' | 'public', on: boolean) => void;
  canPublicFavourite: boolean;
}) {
  const t = useT();
  const { lang } = useLang();
  const a = article;
  return (
    <div data-testid="kb-article" data-article-id={a.id}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {a.categoryPath.join(' › ')}
      </Typography.Text>
      <Space align="start" style={{ width: '100%', justifyContent: 'space-between', marginTop: 4 }}>
        <Typography.Title level={5} style={{ margin: 0 }} data-testid="kb-article-question">
          {a.question}
        </Typography.Title>
        <Space size={4}>
          <Tooltip title={a.favourite.private ? t('取消私人收藏', 'Remove from my favourites') : t('加入私人收藏', 'Add to my favourites')}>
            <Button
              type="text"
              size="small"
              data-testid="kb-star-private"
              aria-pressed={a.favourite.private}
              icon={a.favourite.private ? <StarFilled style={{ color: '#faad14' }} /> : <StarOutlined />}
              onClick={() => onFavourite('private', !a.favourite.private)}
            />
          </Tooltip>
          {canPublicFavourite && (
            <Tooltip
              title={
                a.favourite.public ? t('取消公共收藏', 'Remove from shared favourites') : t('加入公共收藏', 'Add to shared favourites')
              }
            >
              <Button
                type="text"
                size="small"
                data-testid="kb-star-public"
                aria-pressed={a.favourite.public}
                icon={<TeamOutlined style={{ color: a.favourite.public ? '#1677ff' : undefined }} />}
                onClick={() => onFavourite('public', !a.favourite.public)}
              />
            </Tooltip>
          )}
        </Space>
      </Space>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 8, fontSize: 14, lineHeight: 1.8 }} data-testid="kb-article-answer">
        {a.answer}
      </Typography.Paragraph>
      <Descriptions size="small" column={1} bordered styles={{ label: { width: 88, whiteSpace: 'nowrap' } }}>
        <Descriptions.Item label={t('依据', 'Basis')}>
          <span data-testid="kb-article-basis">{a.basis || '—'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('关键字', 'Keywords')}>
          {a.keywords.length ? a.keywords.map((k) => <Tag key={k}>{k}</Tag>) : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('点击 / 热点', 'Hits / hot')}>
          <Space>
            <span data-testid="kb-article-hits">{a.hits}</span>
            <Hotness level={a.hotness} />
          </Space>
        </Descriptions.Item>
        {a.related.length > 0 && (
          <Descriptions.Item label={t('相关知识', 'Related')}>
            <Space direction="vertical" size={0}>
              {a.related.map((r) => (
                <Typography.Link key={r.id} onClick={() => onOpen(r.id)} data-testid="kb-related">
                  {r.question}
                </Typography.Link>
              ))}
            </Space>
          </Descriptions.Item>
        )}
        {a.attachments.length > 0 && (
          <Descriptions.Item label={t('附件', 'Attachments')}>
            <Space direction="vertical" size={0}>
              {a.attachments.map((f) => (
                <Typography.Link key={f.url} href={safeUrl(f.url)} target="_blank" rel="noopener noreferrer">
                  <LinkOutlined /> {f.name}
                </Typography.Link>
              ))}
            </Space>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('版本', 'Version')}>
          <Space wrap size={4}>
            <span data-testid="kb-article-version">v{a.version}</span>
            {a.status !== 'published' && (
              <Tag color={STATUS_COLORS[a.status]}>{lang === 'zh' ? STATUS_NAMES[a.status][0] : STATUS_NAMES[a.status][1]}</Tag>
            )}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {[a.department, a.region].filter(Boolean).join(' · ')}
              {a.publishedAt ? ` · ${t('发布于', 'published')} ${formatDateTime(a.publishedAt)}` : ''}
            </Typography.Text>
          </Space>
        </Descriptions.Item>
      </Descriptions>
    </div>
  );
}

/** Attachments are references: only http(s) and same-site paths become links (no javascript: URLs). */
export function safeUrl(url: string): string | undefined {
  if (/^https?:\/\//i.test(url) || /^\/(?!\/)/.test(url)) return url;
  return undefined;
}
