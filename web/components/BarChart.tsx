// A small SVG bar chart. Bar heights are ratios of exact cents (BigInt); amounts are labels only.
import { formatCents, ratio } from '@/lib/money';

export function BarChart({ items, title }: { items: { label: string; cents: bigint }[]; title: string }) {
  const max = items.reduce((m, i) => (i.cents > m ? i.cents : m), 0n);
  const w = 100 / Math.max(1, items.length);
  return (
    <figure className="chart">
      <svg viewBox="0 0 100 60" preserveAspectRatio="none" role="img" aria-label={title}>
        {items.map((it, idx) => {
          const h = it.cents > 0n ? Math.max(0.5, ratio(it.cents, max) * 56) : 0;
          return (
            <rect key={it.label} x={idx * w + w * 0.15} y={58 - h} width={w * 0.7} height={h} className="bar">
              <title>{`${it.label}: ${formatCents(it.cents)}`}</title>
            </rect>
          );
        })}
        <line x1="0" y1="58" x2="100" y2="58" className="axis" />
      </svg>
      <figcaption>
        <ol className="chart-labels" style={{ gridTemplateColumns: `repeat(${items.length}, 1fr)` }}>
          {items.map((it) => <li key={it.label}>{it.label}</li>)}
        </ol>
      </figcaption>
    </figure>
  );
}
