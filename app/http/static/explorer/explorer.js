// Start GraphiQL on the page's own path with the service's example query and headers
// template (app/explorer.py writes them into #explorer-config).
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('explorer-config').textContent);
  // Both GraphQL paths share an origin: keep each one's tabs and history apart.
  var prefix = 'downloads-api:' + window.location.pathname + ':';
  var storage = {
    getItem: function (key) { return window.localStorage.getItem(prefix + key); },
    setItem: function (key, value) { window.localStorage.setItem(prefix + key, value); },
    removeItem: function (key) { window.localStorage.removeItem(prefix + key); },
    clear: function () {
      Object.keys(window.localStorage)
        .filter(function (key) { return key.indexOf(prefix) === 0; })
        .forEach(function (key) { window.localStorage.removeItem(key); });
    },
    get length() {
      return Object.keys(window.localStorage).filter(function (key) {
        return key.indexOf(prefix) === 0;
      }).length;
    },
  };
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  ReactDOM.createRoot(document.getElementById('explorer')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.query,
      defaultHeaders: config.headers,
      defaultEditorToolsVisibility: 'headers',
      // Tokens typed into the Headers tab stay in this tab, not in the browser's storage.
      shouldPersistHeaders: false,
      storage: storage,
    }, React.createElement(GraphiQL.Logo, null, config.title)),
  );
})();
