// Field paths live in core, shared with the sink; transforms code keeps importing them from here.
export {
  type FieldPath,
  FieldReferenceError,
  fieldOption,
  formatFieldPath,
  parseFieldReference,
  type Segment,
} from "@sluice/core";
