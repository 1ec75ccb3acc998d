export const KONG_VERSION = '3.9.1';
export const LUA_VERSION = 'LuaJIT 2.1.0-20231117';
