import { Button, InputNumber, Select, Space } from 'antd';
import { useT } from '../../lib/i18n';
import { skillsMode, type StepSkills } from './routing-doc';

/**
 * What one widening step asks for: the IVR's skills ('inherit'), anyone in the queue ('any'), or
 * named skills each at a minimum level. A controlled input: `value` is the step's `skills`.
 */
export function StepSkillsInput(props: {
  value: StepSkills;
  onChange: (v: StepSkills) => void;
  skills: Array<{ code: string; zh: string; en?: string }>;
  testId: string;
}) {
  const { value, onChange, skills, testId } = props;
  const t = useT();
  const mode = skillsMode(value);
  const entries = mode === 'skills' ? Object.entries(value as Record<string, number>) : [];
  const label = (s: { code: string; zh: string; en?: string }) => `${t(s.zh, s.en ?? s.zh)} (${s.code})`;
  const set = (list: Array<[string, number]>) => onChange(Object.fromEntries(list));
  return (
    <Space direction="vertical" size={4} style={{ width: '100%' }}>
      <Select
        size="small"
        style={{ width: 170 }}
        value={mode}
        data-testid={`${testId}-mode`}
        onChange={(m) => onChange(m === 'skills' ? { [skills[0]?.code ?? 'skill']: 1 } : m)}
        options={[
          { value: 'inherit', label: t('按语音导航所选技能', 'As the IVR asked') },
          { value: 'any', label: t('队列内任意坐席', 'Anyone in the queue') },
          { value: 'skills', label: t('指定技能和等级', 'Named skills') },
        ]}
      />
      {entries.map(([code, level], k) => (
        <Space key={k} size={4}>
          <Select
            size="small"
            showSearch
            style={{ width: 190 }}
            value={code}
            data-testid={`${testId}-skill-${k}`}
            options={skills.map((s) => ({ value: s.code, label: label(s) }))}
            onChange={(c) => set(entries.map(([x, l], i) => (i === k ? [c, l] : [x, l])))}
          />
          <span>≥</span>
          <InputNumber
            size="small"
            style={{ width: 64 }}
            value={level}
            data-testid={`${testId}-level-${k}`}
            onChange={(l) => set(entries.map(([x, y], i) => (i === k ? [x, l ?? 0] : [x, y])))}
          />
          <Button size="small" type="text" danger disabled={entries.length === 1} onClick={() => set(entries.filter((_, i) => i !== k))}>
            ×
          </Button>
        </Space>
      ))}
      {mode === 'skills' && (
        <Button
          size="small"
          type="dashed"
          data-testid={`${testId}-add-skill`}
          onClick={() => {
            const free = skills.find((s) => !entries.some(([c]) => c === s.code));
            if (free) set([...entries, [free.code, 1]]);
          }}
        >
          {t('+ 技能', '+ Skill')}
        </Button>
      )}
    </Space>
  );
}
