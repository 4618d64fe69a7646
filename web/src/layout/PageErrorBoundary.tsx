import { Component, type ReactNode } from 'react';
import { Button, Result } from 'antd';

/**
 * One page's render error stays on that page: the menu, the header and the other pages keep
 * working, and the error is shown (and logged for the browser tests' pageerror checks) instead
 * of React unmounting the whole console to a blank window.
 */
export class PageErrorBoundary extends Component<
  { children: ReactNode; resetKey: string; title: string; retry: string },
  { error?: Error }
> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidCatch(error: Error) {
    console.error('page failed', error);
  }
  override componentDidUpdate(prev: { resetKey: string }) {
    // Another page opened: start clean.
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: undefined });
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Result
        status="error"
        title={this.props.title}
        subTitle={String(this.state.error.message).slice(0, 300)}
        extra={<Button onClick={() => this.setState({ error: undefined })}>{this.props.retry}</Button>}
      />
    );
  }
}
