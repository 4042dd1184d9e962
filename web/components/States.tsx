// Loading, empty and error states, the same on every screen.
export function Loading({ text = 'Cargando…' }: { text?: string }) {
  return <div className="state loading" role="status" aria-live="polite"><span className="spinner" aria-hidden="true" />{text}</div>;
}
export function Empty({ children }: { children: React.ReactNode }) {
  return <div className="state empty">{children}</div>;
}
export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <span>{message}</span>
      {onRetry && <button type="button" onClick={onRetry}>Reintentar</button>}
    </div>
  );
}
