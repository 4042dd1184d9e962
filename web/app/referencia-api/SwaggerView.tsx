'use client';
import SwaggerUI from 'swagger-ui-react';
import 'swagger-ui-react/swagger-ui.css';

// The description of the server that serves this page; "Try it out" calls the same server.
export default function SwaggerView() {
  return (
    <div data-testid="api-reference">
      <SwaggerUI url="/api/v1/openapi.json" docExpansion="list" defaultModelsExpandDepth={0} displayOperationId deepLinking />
    </div>
  );
}
