/* cybergov: Swagger UI over the service's OpenAPI document, with no request elsewhere
   (no validator badge, no remote configuration). */
window.addEventListener("load", function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: box.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    tryItOutEnabled: false
  });
});
