// Entry of the hook-tool bundle: `node hook-tool.cjs <tool> ARGS…` or a copy/link named after the tool.
import { mainHookTool } from "./tool-dispatch";

mainHookTool(process.argv);
