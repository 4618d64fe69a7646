-- Two roles for the center's daily work (issue 22): `editor` keeps the knowledge base,
-- `liaison` (联络员) answers its department's work orders. API keys stay for tools only.
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
  CHECK (role IN ('admin', 'supervisor', 'agent', 'readonly', 'editor', 'liaison'));
