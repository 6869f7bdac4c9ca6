// Renders the workflow diagram. A file of its own: the pages allow no inline script (Content-Security-Policy).
mermaid.initialize({ startOnLoad: true, securityLevel: 'strict', theme: 'neutral' });
