import { AllCommunityModule, ModuleRegistry } from 'ag-grid-community';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './app/App.js';
import { onHostEvent } from './bridge.js';
import { store } from './store.js';
import { hostSession, restoreSession } from './session/slice.js';
import { syncStatus, viewsChanged } from './app/ui.js';
import './styles.css';

ModuleRegistry.registerModules([AllCommunityModule]);

onHostEvent((event) => {
  if (event.type === 'sync') store.dispatch(syncStatus(event.status));
  else if (event.type === 'changed') store.dispatch(viewsChanged(event.views));
  else {
    store.dispatch(hostSession({ state: event.state, message: event.message }));
    // Still signed in but the host says something changed (a grant, an entity): read who we are again,
    // so the header and the views follow.
    if (event.state === 'signedIn') void store.dispatch(restoreSession());
  }
});
void store.dispatch(restoreSession());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider store={store}>
      <App />
    </Provider>
  </StrictMode>,
);
