-- Work orders (工单) between the 12366 center and the departments behind it (issue 22).
--
-- The departments a work order can be handed to, each answered by its liaisons (联络员). Seeded
-- with the Hangzhou center's (seed: 集约式提供财政、国税、地税的政策法规咨询；统一受理涉税违法案件的举报；
-- 统一受理对财税机关工作人员行风、效能等方面的投诉): the three bureaux for hand-overs and complaints
-- about their service, each tax bureau's inspection bureau (稽查局) for reports of tax violations
-- (举报), and the center's own office (办公室) where complaints about staff and suggestions about
-- the center are recorded. Complaints about staff are never shown to any liaison, whatever the
-- department (core/workorders/visibility.ts): supervisors and admins handle them.
CREATE TABLE departments (
  code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9-]{1,31}$'),
  name     text NOT NULL,
  name_en  text NOT NULL,
  active   boolean NOT NULL DEFAULT true
);
INSERT INTO departments (code, name, name_en) VALUES
  ('czj', '杭州市财政局', 'Hangzhou Finance Bureau'),
  ('gsj', '杭州市国家税务局', 'Hangzhou State Taxation Bureau'),
  ('dsj', '杭州市地方税务局', 'Hangzhou Local Taxation Bureau'),
  ('gsj-jcj', '杭州市国家税务局稽查局', 'Hangzhou State Taxation Inspection Bureau'),
  ('dsj-jcj', '杭州市地方税务局稽查局', 'Hangzhou Local Taxation Inspection Bureau'),
  ('bgs', '12366中心办公室', '12366 Center Office');

-- A liaison answers for exactly one department; no other role names one.
ALTER TABLE accounts ADD COLUMN department text REFERENCES departments (code);
ALTER TABLE accounts ADD CONSTRAINT accounts_department_check CHECK ((role = 'liaison') = (department IS NOT NULL));

-- One row per order. `status` follows core/workorders/machine.ts; `sla_generation` counts the
-- times its due time was (re)set, so a reminder or escalation job of an earlier due time does nothing.
CREATE TABLE work_orders (
  id              text PRIMARY KEY,  -- UUIDv7
  type            text NOT NULL CHECK (type IN ('transfer', 'complaint', 'report', 'suggestion')),
  about_staff     boolean NOT NULL DEFAULT false CHECK (NOT about_staff OR type = 'complaint'),
  status          text NOT NULL CHECK (status IN ('new', 'assigned', 'replied', 'closed', 'reopened')),
  title           text NOT NULL,
  content         text NOT NULL,
  caller          text NOT NULL,
  call_id         text,
  queue           text,
  department      text REFERENCES departments (code),
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  due_at          timestamptz NOT NULL,
  sla_generation  integer NOT NULL DEFAULT 1,
  reminded_at     timestamptz,
  escalated_at    timestamptz,
  -- The latest assignment and the latest reply: the department's time to reply is replied_at - assigned_at.
  assigned_at     timestamptz,
  replied_at      timestamptz,
  caller_replied_at timestamptz,
  closed_at       timestamptz
);
CREATE INDEX work_orders_department ON work_orders (department, status);
CREATE INDEX work_orders_created ON work_orders (created_at);
CREATE INDEX work_orders_created_by ON work_orders (created_by);
CREATE INDEX work_orders_call ON work_orders (call_id) WHERE call_id IS NOT NULL;

-- Every step of an order, in order: who did what, with the words they gave.
CREATE TABLE work_order_steps (
  seq         bigserial PRIMARY KEY,
  order_id    text NOT NULL REFERENCES work_orders (id),
  at          timestamptz NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('created', 'assigned', 'replied', 'caller_replied', 'reminded', 'escalated', 'closed', 'reopened')),
  actor       text NOT NULL,
  department  text,
  note        text
);
CREATE INDEX work_order_steps_order ON work_order_steps (order_id, seq);
