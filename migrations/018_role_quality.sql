-- Issue 23: the quality reviewer (质检员) scores recorded calls.
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
  CHECK (role IN ('admin', 'supervisor', 'agent', 'readonly', 'editor', 'liaison', 'quality'));
