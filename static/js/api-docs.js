"use strict";
// The API reference page (/api/v1/docs): Swagger UI over this server's OpenAPI document.
(function () {
  const root = document.getElementById("api-docs");
  const csrf = document.querySelector('meta[name="csrf-token"]');
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    // The default validator badge would send the document to another site.
    validatorUrl: null,
    // A practice-page session must send its CSRF token with what changes something.
    requestInterceptor: (request) => {
      if (csrf && new URL(request.url, location.href).origin === location.origin) {
        request.headers["X-CSRF-Token"] = csrf.content;
      }
      return request;
    },
  });
})();
