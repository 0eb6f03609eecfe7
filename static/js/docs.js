// Starts Swagger UI on /docs from the vendored bundle (static/vendor/swagger-ui): a file of
// its own, since the Content-Security-Policy allows no inline script. No validator badge:
// it would load an image from swagger.io (offline, and not allowed by the CSP).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
