export { buildServer } from './app.js';
