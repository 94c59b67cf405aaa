// The case page's diagram: the chosen process drawn by bpmn-js, pannable and zoomable, its current elements
// marked and brought into view. Without JavaScript (or without bpmn-js) the server-drawn SVG stays.
(function () {
  var host = document.getElementById('bpmn-viewer');
  if (!host || typeof BpmnJS === 'undefined') { return; }
  var states = JSON.parse(host.getAttribute('data-states') || '{}');
  var viewer = new BpmnJS({ container: host });
  fetch(host.getAttribute('data-xml'), { credentials: 'same-origin' })
    .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      var current = [];
      Object.keys(states).forEach(function (id) {
        if (!registry.get(id)) { return; }
        canvas.addMarker(id, 'state-' + states[id]);
        if (states[id] === 'current') { current.push(registry.get(id)); }
      });
      host.classList.add('ready');   // shown first: fitting measures the container
      canvas.resized();
      // the whole diagram when it fits legibly; otherwise life size around the current element
      canvas.zoom('fit-viewport', 'auto');
      if (canvas.zoom() < 0.8) {
        canvas.zoom(1);
        if (current.length) { canvas.scrollToElement(current[0]); }
      } else if (canvas.zoom() > 1) {
        canvas.zoom(1, 'auto');
      }
      var fallback = document.getElementById('diagram-fallback');
      if (fallback) { fallback.hidden = true; }
      document.querySelectorAll('[data-zoom]').forEach(function (button) {
        button.hidden = false;
        button.addEventListener('click', function () {
          var step = button.getAttribute('data-zoom');
          if (step === 'fit') { canvas.zoom('fit-viewport'); } else { canvas.zoom(canvas.zoom() * parseFloat(step)); }
        });
      });
    })
    .catch(function (error) { host.hidden = true; if (window.console) { console.warn('diagram viewer:', error); } });
}());
