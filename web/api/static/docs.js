// Swagger UI on the API's own OpenAPI document (no inline script: the page's CSP allows none).
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: root.dataset.spec, dom_id: "#swagger-ui", deepLinking: true});
});
