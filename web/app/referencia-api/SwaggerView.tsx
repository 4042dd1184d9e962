'use client';
// Swagger UI's self-contained bundle (swagger-ui-dist: every dependency built in, nothing fetched)
// rendering the description of the server that serves this page; "Try it out" calls the same server.
import { useEffect, useRef } from 'react';
import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';

export default function SwaggerView() {
  const node = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!node.current) return;
    SwaggerUI({ domNode: node.current, url: '/api/v1/openapi.json', docExpansion: 'list', defaultModelsExpandDepth: 0, displayOperationId: true, deepLinking: true });
  }, []);
  return <div data-testid="api-reference" ref={node} />;
}
