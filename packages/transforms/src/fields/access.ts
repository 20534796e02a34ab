// Field access lives in core, shared with the sink; transforms code keeps importing it from here.
export {
  deleteField,
  getField,
  hasField,
  isPlainObject,
  isUnsafeKey,
  setField,
  setOwn,
} from "@sluice/core";
