// Draws the region map (/map, /embed/map) and the mini maps of listings with Leaflet and
// Leaflet.markercluster, both vendored under static/vendor. Progressive enhancement: the page
// already lists the same entries as HTML, this file only adds the map, and does nothing without
// Leaflet or the elements. Kept out of the HTML and free of inline styles and innerHTML of data:
// the Content-Security-Policy forbids inline scripts and styles, and names come from users.
// A dense layer of the viewport comes from the server as cluster features (properties.cluster,
// count, bbox of the grid cell): they are drawn with Leaflet.markercluster's cluster icons and a
// click zooms to the cell; the other features are markers with popups, clustered in the browser.
// Tiles are optional: without a tile URL, or when the tile host cannot be reached, markers,
// clusters and popups still work on the plain background set in map.css.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var lang = document.documentElement.lang || "de";
  var number = typeof Intl !== "undefined" ? new Intl.NumberFormat(lang) : { format: String };
  var FUNCTION_CODE = /^[A-H]$/;
  var DEBOUNCE_MS = 250;
  var MAX_BADGE_LETTERS = 3;

  function parseJSON(text, fallback) {
    if (!text) { return fallback; }
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null && text !== "") { node.textContent = String(text); }
    return node;
  }

  // Only http(s) links from the answer become hrefs: a "javascript:" URL never reaches the DOM.
  function safeUrl(url) {
    if (typeof url !== "string" || !url) { return null; }
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) { return null; }
  }

  function link(url, text, target, className) {
    var href = safeUrl(url);
    if (!href) { return el("span", className, text); }
    var a = el("a", className, text);
    a.href = href;
    a.rel = "noopener";
    if (target) { a.target = target; }
    return a;
  }

  function addTiles(map, container) {
    var url = container.getAttribute("data-tile-url");
    if (!url) { return; }
    // Leaflet reports failed tiles through "tileerror" and never throws; the grey background
    // of the container stays visible behind the missing tiles.
    L.tileLayer(url, {
      attribution: container.getAttribute("data-tile-attribution") || "",
      maxZoom: 19,
      errorTileUrl: ""
    }).on("tileerror", function () {}).addTo(map);
  }

  function round5(value) { return Math.round(value * 1e5) / 1e5; }
  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

  function bboxParam(bounds) {
    return [
      round5(clamp(bounds.getWest(), -180, 180)),
      round5(clamp(bounds.getSouth(), -90, 90)),
      round5(clamp(bounds.getEast(), -180, 180)),
      round5(clamp(bounds.getNorth(), -90, 90))
    ].join(",");
  }

  function withParam(url, name, value) {
    return url + (url.indexOf("?") === -1 ? "?" : "&") + name + "=" + value;
  }

  // ---------- Markers ----------

  function badgeText(codes) {
    var text = codes.join("");
    return text.length > MAX_BADGE_LETTERS ? text.slice(0, MAX_BADGE_LETTERS) + "\u2026" : text;
  }

  function functionCodes(props) {
    return Array.isArray(props.functions)
      ? props.functions.filter(function (c) { return typeof c === "string" && FUNCTION_CODE.test(c); })
      : [];
  }

  function isOrganisation(props) { return props.layer === "organisations"; }
  function isRequest(props) { return props.layer === "requests" || props.kind === "request"; }

  function markerBadge(props) {
    if (isOrganisation(props)) {
      var codes = functionCodes(props);
      var badge = el("span", "map-marker " + (codes.length ? "map-fn-" + codes[0] : "map-fn-none"), badgeText(codes));
      if (codes.join("").length > 2) { badge.className += " map-marker-long"; }
      return badge;
    }
    return el("span", "map-marker " + (isRequest(props) ? "map-layer-request" : "map-layer-offer"));
  }

  function markerLabel(props, i18n) {
    var name = String(props.name || "");
    if (isOrganisation(props)) { return props.site ? name + " (" + props.site + ")" : name; }
    var kind = isRequest(props) ? i18n.request : i18n.offer;
    return kind ? kind + ": " + name : name;
  }

  // ---------- Popups ----------

  function joinParts(parts) {
    return parts.filter(function (p) { return p !== undefined && p !== null && p !== ""; }).join(" \u00b7 ");
  }

  function countsText(props, i18n) {
    var parts = [];
    if (props.open_offers > 0) { parts.push(number.format(props.open_offers) + " " + (i18n.open_offers || "")); }
    if (props.open_requests > 0) { parts.push(number.format(props.open_requests) + " " + (i18n.open_requests || "")); }
    return joinParts(parts);
  }

  function organisationPopup(props, ctx, root) {
    if (props.site) { root.appendChild(el("p", "map-popup-site", props.site)); }
    var codes = functionCodes(props);
    if (codes.length) {
      var list = el("ul", "map-popup-functions");
      codes.forEach(function (code) {
        var item = el("li");
        var badge = el("span", "map-marker map-fn-" + code, code);
        badge.setAttribute("aria-hidden", "true");
        item.appendChild(badge);
        var fn = ctx.functions[code];
        item.appendChild(document.createTextNode(" " + (fn && fn.name ? fn.name : code)));
        list.appendChild(item);
      });
      root.appendChild(list);
    }
    var counts = countsText(props, ctx.i18n);
    if (counts) { root.appendChild(el("p", "map-popup-counts", counts)); }
    var meta = joinParts([props.kind_label, props.district]);
    if (meta) { root.appendChild(el("p", "map-popup-meta", meta)); }
    if (ctx.i18n.details) {
      var more = el("p", "map-popup-more");
      more.appendChild(link(props.url, ctx.i18n.details, ctx.target));
      root.appendChild(more);
    }
  }

  function listingPopup(props, ctx, root) {
    var kind = joinParts([isRequest(props) ? ctx.i18n.request : ctx.i18n.offer, props.category_label]);
    if (kind) { root.appendChild(el("p", "map-popup-kind", kind)); }
    var meta = joinParts([props.organisation, props.district]);
    if (meta) { root.appendChild(el("p", "map-popup-meta", meta)); }
    if (ctx.i18n.open_listing) {
      var more = el("p", "map-popup-more");
      more.appendChild(link(props.url, ctx.i18n.open_listing, ctx.target));
      root.appendChild(more);
    }
  }

  function popupContent(props, ctx) {
    var root = el("div", "map-popup " + (isOrganisation(props) ? "map-popup-organisation" : "map-popup-listing"));
    var title = el("h3", "map-popup-title");
    title.appendChild(link(props.url, props.name || "", ctx.target));
    root.appendChild(title);
    if (isOrganisation(props)) { organisationPopup(props, ctx, root); } else { listingPopup(props, ctx, root); }
    return root;
  }

  function featureMarker(feature, ctx) {
    var geometry = feature && feature.geometry;
    if (!geometry || geometry.type !== "Point" || !Array.isArray(geometry.coordinates)) { return null; }
    var lon = Number(geometry.coordinates[0]);
    var lat = Number(geometry.coordinates[1]);
    if (!isFinite(lat) || !isFinite(lon)) { return null; }
    var props = feature.properties || {};
    var label = markerLabel(props, ctx.i18n);
    var badge = markerBadge(props);
    badge.setAttribute("aria-hidden", "true");
    var marker = L.marker([lat, lon], {
      icon: L.divIcon({ html: badge, className: "map-marker-icon", iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -12] }),
      title: label,
      alt: label,
      keyboard: true,
      riseOnHover: true
    });
    // A div icon gets role="button" from Leaflet; the label names it for screen readers, as the
    // badge letters alone would not. Set on every add: the cluster group re-creates icons.
    marker.on("add", function () {
      var icon = marker.getElement();
      if (icon) { icon.setAttribute("aria-label", label); }
    });
    // Built on first opening only: a view can hold thousands of markers.
    marker.bindPopup(function () { return popupContent(props, ctx); }, { maxWidth: 280, minWidth: 180, autoPanPadding: [16, 16] });
    // Opened from the keyboard, the popup takes the focus: in the DOM it sits after every marker.
    marker.on("popupopen", function (event) {
      ctx.openMarker = marker;
      var icon = marker.getElement();
      var box = event.popup.getElement();
      var first = box && box.querySelector(".map-popup a");
      if (first && icon && document.activeElement === icon) { first.focus({ preventScroll: true }); }
    });
    marker.on("popupclose", function () { if (ctx.openMarker === marker) { ctx.openMarker = null; } });
    return marker;
  }

  // ---------- Server clusters: a dense layer of the viewport, counted on the server ----------

  function isServerCluster(feature) {
    return Boolean(feature && feature.properties && feature.properties.cluster === true);
  }

  // The size classes of Leaflet.markercluster's own icons, so both kinds of cluster look alike.
  function clusterSize(count) {
    if (count < 10) { return "small"; }
    return count < 100 ? "medium" : "large";
  }

  // [[south, west], [north, east]] of the cell, or null when the answer holds no usable bbox.
  function cellBounds(bbox) {
    if (!Array.isArray(bbox) || bbox.length !== 4) { return null; }
    var b = bbox.map(Number);
    if (!b.every(isFinite) || b[1] > b[3]) { return null; }
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }

  function clusterMarker(feature, map) {
    var geometry = feature.geometry;
    if (!geometry || geometry.type !== "Point" || !Array.isArray(geometry.coordinates)) { return null; }
    var lon = Number(geometry.coordinates[0]);
    var lat = Number(geometry.coordinates[1]);
    var props = feature.properties;
    var count = Number(props.count);
    if (!isFinite(lat) || !isFinite(lon) || !isFinite(count)) { return null; }
    var inner = el("div");
    inner.appendChild(el("span", "", number.format(count)));
    var label = String(props.name || number.format(count));
    var marker = L.marker([lat, lon], {
      icon: L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + clusterSize(count) + " map-server-cluster", iconSize: L.point(40, 40) }),
      title: label,
      alt: label,
      keyboard: true
    });
    marker.on("add", function () {
      var icon = marker.getElement();
      if (icon) { icon.setAttribute("aria-label", label); }
    });
    var bounds = cellBounds(props.bbox);
    marker.cellBounds = bounds;
    // Enter on the focused icon is a click too (Leaflet's keyboard option).
    marker.on("click", function () {
      if (bounds && bounds.isValid()) {
        map.fitBounds(bounds, { maxZoom: map.getMaxZoom() });
      } else {
        map.setView([lat, lon], Math.min(map.getZoom() + 2, map.getMaxZoom()));
      }
    });
    return marker;
  }

  // Identical features keep their marker across reloads: unchanged markers neither flicker nor
  // lose their place in a spiderfied cluster.
  function featureKey(feature) {
    return String(feature.id) + "|" + JSON.stringify(feature.geometry && feature.geometry.coordinates) +
      "|" + JSON.stringify(feature.properties || {});
  }

  function leftOutCount(leftOut) {
    if (!leftOut || typeof leftOut !== "object") { return 0; }
    return Object.keys(leftOut).reduce(function (sum, key) {
      var n = Number(leftOut[key]);
      return sum + (isFinite(n) && n > 0 ? n : 0);
    }, 0);
  }

  // The catalogue may carry either placeholder style ("%(n)s" from gettext, "{n}" from format).
  function leftOutText(template, n) {
    var formatted = number.format(n);
    return template.replace("%(n)s", formatted).replace("{n}", formatted);
  }

  // ---------- Region map ----------

  function parseCenter(text) {
    var parts = String(text || "").split(",").map(Number);
    if (parts.length === 2 && isFinite(parts[0]) && isFinite(parts[1]) &&
        Math.abs(parts[0]) <= 90 && Math.abs(parts[1]) <= 180) {
      return parts;
    }
    return null;
  }

  function initRegionMap(container) {
    var baseUrl = container.getAttribute("data-geojson-url");
    if (!baseUrl || typeof L.markerClusterGroup !== "function" || typeof window.fetch !== "function") { return; }
    var statusEl = document.getElementById("region-map-status");
    var ctx = {
      i18n: parseJSON(container.getAttribute("data-i18n"), {}) || {},
      functions: parseJSON(container.getAttribute("data-functions"), {}) || {},
      target: container.getAttribute("data-link-target") || "",
      openMarker: null
    };
    var fitPending = container.getAttribute("data-fit") === "true";
    var center = parseCenter(container.getAttribute("data-center"));
    var zoom = parseInt(container.getAttribute("data-zoom"), 10);

    var map = L.map(container, { keyboard: true, minZoom: 3, maxZoom: 19, worldCopyJump: false });
    map.setView(center || [51.1657, 10.4515], isFinite(zoom) ? zoom : (center ? 12 : 6));
    addTiles(map, container);

    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, spiderfyOnMaxZoom: true });
    map.addLayer(cluster);
    // Clusters the server counted stay out of the cluster group, which would count them as
    // one marker each; every answer replaces them, as their cells follow the zoom.
    var serverClusters = L.layerGroup().addTo(map);

    var markers = {}; // featureKey -> L.Marker currently in the cluster group
    var sequence = 0;
    var controller = null;
    var timer = null;
    var lastUrl = null;
    var deferred = false;

    function setStatus(text, state) {
      if (statusEl) { statusEl.textContent = text || ""; }
      container.setAttribute("data-state", state);
      container.setAttribute("aria-busy", state === "loading" ? "true" : "false");
    }

    function replaceServerClusters(features) {
      serverClusters.clearLayers();
      features.forEach(function (feature) {
        var marker = clusterMarker(feature, map);
        if (marker) { serverClusters.addLayer(marker); }
      });
      container.setAttribute("data-cluster-count", String(serverClusters.getLayers().length));
    }

    // Everything drawn: the markers and the cells of the server's clusters.
    function drawnBounds() {
      var bounds = L.latLngBounds([]);
      var markerBounds = cluster.getBounds();
      if (markerBounds.isValid()) { bounds.extend(markerBounds); }
      serverClusters.eachLayer(function (marker) {
        bounds.extend(marker.cellBounds || marker.getLatLng());
      });
      return bounds;
    }

    function replaceFeatures(features) {
      var next = {};
      var added = [];
      replaceServerClusters(features.filter(isServerCluster));
      features.forEach(function (feature) {
        if (!feature || isServerCluster(feature)) { return; }
        var key = featureKey(feature);
        if (next[key]) { return; }
        var marker = markers[key] || featureMarker(feature, ctx);
        if (!marker) { return; }
        next[key] = marker;
        if (!markers[key]) { added.push(marker); }
      });
      var removed = Object.keys(markers).filter(function (key) { return !next[key]; })
        .map(function (key) { return markers[key]; });
      if (removed.length) { cluster.removeLayers(removed); }
      if (added.length) { cluster.addLayers(added); }
      markers = next;
      container.setAttribute("data-feature-count", String(Object.keys(next).length));
    }

    function fail(id) {
      if (id !== sequence) { return; }
      lastUrl = null; // the next move tries again
      setStatus(ctx.i18n.error, "error");
    }

    function load() {
      // Adding markers re-clusters, and a marker swallowed by a cluster loses its popup: while
      // a popup is open on a marker still in view (its auto-pan moved the map), wait for it.
      if (ctx.openMarker && map.getBounds().contains(ctx.openMarker.getLatLng())) {
        deferred = true;
        return;
      }
      deferred = false;
      // The first load of a fitted map asks for the whole world, so it can fit to every match.
      var bbox = fitPending ? "-180,-90,180,90" : bboxParam(map.getBounds());
      var url = withParam(baseUrl, "bbox", bbox);
      if (url === lastUrl) { return; }
      lastUrl = url;
      var id = ++sequence;
      if (controller) { controller.abort(); }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      setStatus(ctx.i18n.loading, "loading");
      window.fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/geo+json, application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        if (id !== sequence) { return; }
        if (!data || !Array.isArray(data.features)) { throw new Error("not a FeatureCollection"); }
        replaceFeatures(data.features);
        var n = leftOutCount(data.left_out);
        setStatus(n && ctx.i18n.left_out ? leftOutText(ctx.i18n.left_out, n) : "", "ready");
        if (fitPending) {
          fitPending = false;
          var bounds = drawnBounds();
          if (bounds.isValid()) {
            map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
          } else {
            schedule(); // nothing matched: the view stays, and loads its own box
          }
        }
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        fail(id);
      });
    }

    function schedule() {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { timer = null; load(); }, DEBOUNCE_MS);
    }

    // Leaflet closes a popup on Escape only while the map itself has focus; a clicked or
    // tabbed-to marker, or a link in the popup, holds it too. Focus returns to the marker.
    container.addEventListener("keydown", function (event) {
      if ((event.key !== "Escape" && event.key !== "Esc") || !ctx.openMarker) { return; }
      var marker = ctx.openMarker;
      marker.closePopup();
      var icon = marker.getElement();
      if (icon && icon.focus) { icon.focus(); }
    });

    map.on("moveend", schedule);
    map.on("popupclose", function () { if (deferred) { schedule(); } });
    load();
  }

  // ---------- Mini map of a listing: an area, never the exact address ----------

  function initMiniMap(container) {
    var lat = parseFloat(container.getAttribute("data-lat"));
    var lon = parseFloat(container.getAttribute("data-lon"));
    var radius = parseFloat(container.getAttribute("data-radius-m"));
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return; }
    if (!isFinite(radius) || radius <= 0) { radius = 500; }
    var label = container.getAttribute("data-label") || "";
    // role="img" suits the empty box without JavaScript; once drawn the map holds controls and
    // links, which an image would hide from assistive technology.
    if (label) {
      container.title = label;
      container.setAttribute("aria-label", label);
    }
    container.setAttribute("role", "group");
    // One finger scrolls the page on phones; two fingers zoom the map.
    var map = L.map(container, {
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
      boxZoom: false,
      keyboard: true,
      maxZoom: 18
    });
    map.setView([lat, lon], 14);
    addTiles(map, container);
    var area = L.circle([lat, lon], {
      radius: radius,
      color: "#1d6b47",
      weight: 2,
      fillColor: "#1d6b47",
      fillOpacity: 0.15,
      interactive: false
    }).addTo(map);
    map.fitBounds(area.getBounds(), { padding: [12, 12], maxZoom: 15 });
  }

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (node) {
      try { fn(node); } catch (e) { if (window.console) { window.console.error(e); } }
    });
  }

  each("#region-map", initRegionMap);
  each("[data-mini-map]", initMiniMap);
})();
