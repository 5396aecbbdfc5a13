"""The `e2e` tier: real clients against a served process: headless Chromium (Debian's
package) and the Node.js packages of e2e/."""
