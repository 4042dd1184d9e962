// Every screen a vertical brings (web/verticals/<name>/), at /<vertical>/<screen>: the static
// export gets one page per screen its manifest lists.
import { VERTICAL_MANIFESTS } from '@/verticals/registry.gen';
import { VerticalScreen } from '@/components/VerticalScreen';

export const dynamicParams = false;

export function generateStaticParams() {
  return VERTICAL_MANIFESTS.flatMap((m) => m.screens.map((s) => ({ vertical: m.name, screen: s.slug })));
}

export default async function Page({ params }: { params: Promise<{ vertical: string; screen: string }> }) {
  const { vertical, screen } = await params;
  return <VerticalScreen vertical={vertical} screen={screen} />;
}
