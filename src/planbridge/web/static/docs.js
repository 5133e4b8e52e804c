// The API explorer: Swagger UI reading PlanBridge's OpenAPI document.
/* global SwaggerUIBundle */
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
