export { errorCode, errorMessage, GraftError, hasCode } from './graft-error.js';
