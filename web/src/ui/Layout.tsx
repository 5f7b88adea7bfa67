// The signed-in frame: skip link, top navigation, the user and sign-out.
import { NavLink, Outlet } from 'react-router';
import { useSession } from '../auth/session';

export function Layout() {
  const { user, logout } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand" end>
          Atlas
        </NavLink>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end>
                Collections
              </NavLink>
            </li>
            <li>
              <NavLink to="/search">Search</NavLink>
            </li>
            <li>
              <NavLink to="/jobs">Jobs</NavLink>
            </li>
            <li>
              <NavLink to="/audit">Activity</NavLink>
            </li>
          </ul>
        </nav>
        <div className="user">
          {user && (
            <span className="user-name" title={user.email}>
              {user.display_name}
            </span>
          )}
          <button type="button" onClick={logout}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
