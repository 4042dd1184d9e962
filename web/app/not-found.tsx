import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="center">
      <h1>Página no encontrada</h1>
      <p><Link href="/">Volver al panel</Link></p>
    </main>
  );
}
