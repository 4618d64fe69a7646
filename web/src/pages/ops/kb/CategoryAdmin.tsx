import { useMemo, useState } from 'react';
import { Alert, App, Button, Input, Modal, Popconfirm, Space, Tree, TreeSelect, Typography } from 'antd';
import { ApiError, del, patch, post } from '../../../lib/api';
import { useT } from '../../../lib/i18n';
import { buildCategoryTree, categoryPath, subtreeIds, type CategoryNode } from '../../kb/tree';
import type { KbCategory } from '../../kb/types';

/** TreeSelect's data from the tree, leaving out (when moving) the category itself and its subtree. */
export interface SelectNode {
  value: number;
  title: string;
  children: SelectNode[];
}
export function selectData(nodes: CategoryNode[], exclude: Set<number> = new Set()): SelectNode[] {
  return nodes.filter((n) => !exclude.has(n.key)).map((n) => ({ value: n.key, title: n.name, children: selectData(n.children, exclude) }));
}

/**
 * The category tree, edited: add (at the root or under the selected one), rename, move, delete
 * when empty. The same tree classifies call summaries, so the page says so.
 */
export function CategoryAdmin({
  categories,
  selected,
  onSelect,
  reload,
  canWrite,
}: {
  categories: KbCategory[];
  selected: number | undefined;
  onSelect: (id: number | undefined) => void;
  reload: () => void;
  canWrite: boolean;
}) {
  const t = useT();
  const { message } = App.useApp();
  const tree = useMemo(() => buildCategoryTree(categories), [categories]);
  const [dialog, setDialog] = useState<null | { kind: 'add' | 'rename' | 'move'; name: string; parentId: number | null }>(null);
  const current = categories.find((c) => c.id === selected);

  const run = async (f: () => Promise<unknown>, ok: string) => {
    try {
      await f();
      message.success(ok);
      setDialog(null);
      reload();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    }
  };

  const submit = () => {
    if (!dialog) return;
    if (dialog.kind === 'add')
      return run(() => post('/api/kb/categories', { parentId: dialog.parentId, name: dialog.name.trim() }), t('已添加', 'Added'));
    if (!current) return;
    if (dialog.kind === 'rename')
      return run(() => patch(`/api/kb/categories/${current.id}`, { name: dialog.name.trim() }), t('已重命名', 'Renamed'));
    return run(() => patch(`/api/kb/categories/${current.id}`, { parentId: dialog.parentId }), t('已移动', 'Moved'));
  };

  return (
    <div data-testid="kb-category-admin">
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 8 }}
        message={t(
          '此目录树同时是来电小结的分类树：改名、移动会同样影响小结分类。',
          'This tree is also the call-summary tree: renaming or moving a category changes it for summaries too.',
        )}
      />
      {canWrite && (
        <Space wrap size={4} style={{ marginBottom: 8 }}>
          <Button size="small" data-testid="kb-cat-add" onClick={() => setDialog({ kind: 'add', name: '', parentId: selected ?? null })}>
            {selected ? t('添加子目录', 'Add inside') : t('添加根目录', 'Add at the root')}
          </Button>
          <Button
            size="small"
            disabled={!current}
            data-testid="kb-cat-rename"
            onClick={() => current && setDialog({ kind: 'rename', name: current.name, parentId: current.parentId })}
          >
            {t('重命名', 'Rename')}
          </Button>
          <Button
            size="small"
            disabled={!current}
            data-testid="kb-cat-move"
            onClick={() => current && setDialog({ kind: 'move', name: current.name, parentId: current.parentId })}
          >
            {t('移动', 'Move')}
          </Button>
          <Popconfirm
            title={t('删除此目录？（仅当目录为空时可删除）', 'Delete this category? (only when empty)')}
            onConfirm={() =>
              current && run(() => del(`/api/kb/categories/${current.id}`), t('已删除', 'Deleted')).then(() => onSelect(undefined))
            }
            disabled={!current}
          >
            <Button size="small" danger disabled={!current} data-testid="kb-cat-delete">
              {t('删除', 'Delete')}
            </Button>
          </Popconfirm>
        </Space>
      )}
      <div style={{ maxHeight: 'calc(100vh - 330px)', overflow: 'auto' }}>
        <Tree
          blockNode
          treeData={tree as never}
          selectedKeys={selected !== undefined ? [selected] : []}
          onSelect={(k) => onSelect(k.length ? Number(k[0]) : undefined)}
        />
      </div>
      <Modal
        open={!!dialog}
        title={
          dialog?.kind === 'add'
            ? t('添加目录', 'Add a category')
            : dialog?.kind === 'rename'
              ? t('重命名目录', 'Rename')
              : t('移动目录', 'Move')
        }
        onCancel={() => setDialog(null)}
        onOk={() => void submit()}
        okButtonProps={{ disabled: !dialog || (dialog.kind !== 'move' && !dialog.name.trim()), 'data-testid': 'kb-cat-ok' } as never}
        destroyOnHidden
      >
        {dialog?.kind === 'move' ? (
          <>
            <Typography.Paragraph>
              {t('移到', 'Move under')}（{t('留空则移到根目录', 'empty: the root')}）
            </Typography.Paragraph>
            <TreeSelect
              style={{ width: '100%' }}
              allowClear
              treeDefaultExpandAll
              value={dialog.parentId ?? undefined}
              treeData={selectData(tree, current ? subtreeIds(categories, current.id) : new Set())}
              onChange={(v) => setDialog({ ...dialog, parentId: v ?? null })}
            />
          </>
        ) : (
          dialog && (
            <>
              {dialog.kind === 'add' && (
                <Typography.Paragraph type="secondary">
                  {dialog.parentId ? categoryPath(categories, dialog.parentId).join(' › ') : t('根目录', 'The root')}
                </Typography.Paragraph>
              )}
              <Input
                autoFocus
                maxLength={100}
                data-testid="kb-cat-name"
                value={dialog.name}
                onChange={(e) => setDialog({ ...dialog, name: e.target.value })}
                onPressEnter={() => void submit()}
              />
            </>
          )
        )}
      </Modal>
    </div>
  );
}
