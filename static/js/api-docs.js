// Starts Swagger UI on the API reference page (kept out of the HTML so the CSP can forbid inline scripts).
(function () {
  var node = document.getElementById("swagger-ui");
  if (!node || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({ url: node.dataset.specUrl, domNode: node, deepLinking: true });
})();
